// changedLayouts: a structure whose layout a change alters, from the
// objects' DWARF (pahole), on tiny objects compiled here with gcc -g.
#include "data_layout.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "fs.h"

using namespace ksplice;
using V = std::vector<std::string>;

namespace {

// Compiles SOURCE with gcc -g into DIR/NAME.o.
std::string compile(const std::string &dir, const std::string &name,
                    const std::string &source) {
  std::string c = dir + "/" + name + ".c", o = dir + "/" + name + ".o";
  std::ofstream(c) << source;
  std::string cmd = "gcc -g -O2 -c -o " + o + " " + c;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return o;
}

// A fresh directory for the objects of one test.
TempDir scratch() {
  auto t = TempDir::create("ksplice-layout-");
  EXPECT_TRUE(bool(t)) << t.message();
  return t ? std::move(*t) : TempDir();
}

const char kUse[] =
    "int get_b(struct s *p) { return p->b; }\n"
    "int get_u(union u *p) { return p->i; }\n";

TEST(DataLayout, SplitsPaholeTextIntoNamedTypes) {
  auto t = layoutsOf("struct a {\n\tint x; /* 0 4 */\n};\n"
                     "union b {\n\tstruct {\n\t\tint y;\n\t};\n} "
                     "__attribute__((__aligned__(8)));\n");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t["struct a"], "\tint x; /* 0 4 */\n};\n");
  EXPECT_NE(t["union b"].find("int y"), std::string::npos);
}

TEST(DataLayout, AFieldAddedIsALayoutChangeNewCodeIsNot) {
  TempDir tmp = scratch();
  ASSERT_FALSE(tmp.path().empty());
  std::string types = "struct s { int a; int b; };\nunion u { int i; };\n";
  std::string pre = compile(tmp.path(), "pre", types + kUse);
  // Only the code changes: no layout changes.
  std::string code = compile(tmp.path(), "code",
                             types + "int get_b(struct s *p) { return p->b + 1; }\n"
                                     "int get_u(union u *p) { return p->i; }\n");
  auto none = changedLayouts(pre, code);
  ASSERT_TRUE(bool(none)) << llvm::toString(none.takeError());
  EXPECT_EQ(*none, V{});
  // A field before b: struct s changes; a new type does not count.
  std::string field = compile(
      tmp.path(), "field",
      "struct s { int a; int added; int b; };\nunion u { int i; };\n"
      "struct fresh { long z; };\n" + std::string(kUse) +
          "long get_z(struct fresh *f) { return f->z; }\n");
  auto changed = changedLayouts(pre, field);
  ASSERT_TRUE(bool(changed)) << llvm::toString(changed.takeError());
  EXPECT_EQ(*changed, V{"struct s"});
}

TEST(DataLayout, ALinesShapeIsItsNumbersNameWidthAndAggregatesNotItsScalarType) {
  EXPECT_EQ(layoutShapeOf("\tint        b;         /*     4     4 */"),
            layoutShapeOf("\tunsigned int  b; /*     4     4 */"));
  EXPECT_NE(layoutShapeOf("\tint b; /* 4 4 */"),
            layoutShapeOf("\tint renamed; /* 4 4 */"));
  EXPECT_NE(layoutShapeOf("\tint b; /* 4 4 */"),
            layoutShapeOf("\tint b; /* 8 4 */"));
  EXPECT_EQ(layoutShapeOf("\tunsigned int x:3; /* 0: 0  4 */"), "0: 0 4 x :3 ");
  EXPECT_NE(layoutShapeOf("\tunsigned int x:3; /* 0: 0  4 */"),
            layoutShapeOf("\tunsigned int x:4; /* 0: 0  4 */"));
  EXPECT_EQ(layoutShapeOf("\tstruct o * *  pp; /* 16 8 */"), "16 8 pp struct o * * ");
  EXPECT_NE(layoutShapeOf("\tstruct o *  p; /* 16 8 */"),
            layoutShapeOf("\tstruct q *  p; /* 16 8 */"));
  EXPECT_EQ(layoutShapeOf("\tint (*fn)(struct o *); /* 8 8 */"),
            layoutShapeOf("\tint (*fn)(struct o *, int); /* 8 8 */"));
  EXPECT_EQ(layoutShapeOf("} __attribute__((__aligned__(16)));"),
            "} aligned 16 ");
  EXPECT_EQ(layoutShapeOf("\t/* size: 48, cachelines: 1, members: 6 */"),
            "size: 48, cachelines: 1, members: 6 ");
}

TEST(DataLayout, AMemberRetypedInPlaceIsNotALayoutChangeOneMovedIs) {
  TempDir tmp = scratch();
  ASSERT_FALSE(tmp.path().empty());
  auto with = [](const std::string &members) {
    return "struct o; struct q;\nstruct s { " + members + " };\n"
           "int get_a(struct s *p) { return p->a; }\n";
  };
  std::string pre = compile(tmp.path(), "pre",
                            with("int a; int b; int (*fn)(struct o *); "
                                 "struct o *op; struct { int x; } in;"));
  // b's and x's signedness and fn's prototype changed: same bytes.
  std::string same = compile(tmp.path(), "same",
                             with("int a; unsigned b; int (*fn)(struct o *, int); "
                                  "struct o *op; struct { unsigned int x; } in;"));
  auto none = changedLayouts(pre, same);
  ASSERT_TRUE(bool(none)) << llvm::toString(none.takeError());
  EXPECT_EQ(*none, V{});
  // op points to another structure: its instances would be misread.
  std::string other = compile(tmp.path(), "other",
                              with("int a; int b; int (*fn)(struct o *); "
                                   "struct q *op; struct { int x; } in;"));
  auto changed = changedLayouts(pre, other);
  ASSERT_TRUE(bool(changed)) << llvm::toString(changed.takeError());
  EXPECT_EQ(*changed, V{"struct s"});
  // a and b swapped: the same offsets and sizes, other members there.
  std::string swapped = compile(tmp.path(), "swapped",
                                with("int b; int a; int (*fn)(struct o *); "
                                     "struct o *op; struct { int x; } in;"));
  auto moved = changedLayouts(pre, swapped);
  ASSERT_TRUE(bool(moved)) << llvm::toString(moved.takeError());
  EXPECT_EQ(*moved, V{"struct s"});
}

TEST(DataLayout, AnEnumeratorRenumberedIsALayoutChangeOneAddedAtTheEndIsNot) {
  TempDir tmp = scratch();
  ASSERT_FALSE(tmp.path().empty());
  auto use = [](const std::string &e) {
    return "enum state { " + e + " };\n"
           "enum state st(enum state *p) { return *p; }\n"
           "enum { ANON_A, ANON_B } anon;\n";  // anonymous: not a type
  };
  std::string pre = compile(tmp.path(), "pre", use("IDLE, BUSY, DONE = 7"));
  auto enums = enumsOf(pre);
  ASSERT_TRUE(bool(enums)) << llvm::toString(enums.takeError());
  ASSERT_EQ(enums->size(), 1u);
  EXPECT_EQ((*enums)["enum state"],
            (std::map<std::string, uint64_t>{{"IDLE", 0}, {"BUSY", 1}, {"DONE", 7}}));
  // A new enumerator at the end: every old value stays.
  std::string end = compile(tmp.path(), "end", use("IDLE, BUSY, DONE = 7, LATE"));
  auto none = changedLayouts(pre, end);
  ASSERT_TRUE(bool(none)) << llvm::toString(none.takeError());
  EXPECT_EQ(*none, V{});
  // One in the middle: BUSY was 1, is 2.
  std::string mid = compile(tmp.path(), "mid", use("IDLE, NEW, BUSY, DONE = 7"));
  auto changed = changedLayouts(pre, mid);
  ASSERT_TRUE(bool(changed)) << llvm::toString(changed.takeError());
  EXPECT_EQ(*changed, V{"enum state"});
}

TEST(DataLayout, PaholeFailingIsAnError) {
  auto r = changedLayouts("/nonexistent/pre.o", "/nonexistent/post.o");
  EXPECT_FALSE(bool(r));
  llvm::consumeError(r.takeError());
}

} // namespace
