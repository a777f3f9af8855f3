// PreCache: pre objects kept under the configuration key, with what they
// read; unchangedBy: whether --after patches leave an object's inputs alone.
#include "pre_cache.h"
#include "test_tree.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace ksplice;
using ksplice::test::TempTree;
using V = std::vector<std::string>;
namespace fs = std::filesystem;

namespace {

// A farm where fs/a.o was just compiled: the object and its .cmd file.
struct Farm {
  TempTree tree, cache;
  std::string dir() const { return cache.path("series-pre"); }
  void compiled(const std::string &text) const {
    tree.write("fs/a.o", text);
    tree.write("fs/.a.o.cmd", "cmd_fs/a.o := gcc -c -o fs/a.o fs/a.c\n\n"
                              "source_fs/a.o := fs/a.c\n\n"
                              "deps_fs/a.o := \\\n"
                              "  include/linux/x.h \\\n"
                              "  " + tree.root() + "/fs/a.h \\\n"
                              "\n");
  }
};

TEST(PreCache, KeepsAnObjectWithWhatItRead) {
  Farm f;
  auto c = PreCache::open(f.dir(), "key1", f.tree.root());
  ASSERT_TRUE(bool(c)) << llvm::toString(c.takeError());
  EXPECT_FALSE(c->has("fs/a.o"));
  EXPECT_FALSE(c->reads("fs/a.o"));
  f.compiled("pre bytes");
  ASSERT_FALSE(bool(c->keep("fs/a.o", f.tree.path("fs/a.o"))));
  EXPECT_TRUE(c->has("fs/a.o"));
  // Its source too: kbuild's deps_ list has only the headers (an --after
  // patch of fs/a.c must not take the object compiled without it).
  EXPECT_EQ(c->reads("fs/a.o"), (V{"fs/a.c", "fs/a.h", "include/linux/x.h"}));
  EXPECT_FALSE(unchangedBy({{"fs/a.c", TouchedFile::Modified}},
                           *c->reads("fs/a.o")));
  EXPECT_TRUE(fs::exists(f.tree.path("fs/a.o"))); // linked, not moved
  auto again = PreCache::open(f.dir(), "key1", f.tree.root());
  ASSERT_TRUE(bool(again));
  EXPECT_TRUE(again->has("fs/a.o"));
}

TEST(PreCache, AnotherConfigurationOrFarmEmptiesIt) {
  Farm f;
  f.compiled("pre bytes");
  {
    auto c = PreCache::open(f.dir(), "key1", f.tree.root());
    ASSERT_TRUE(bool(c));
    ASSERT_FALSE(bool(c->keep("fs/a.o", f.tree.path("fs/a.o"))));
  }
  auto c = PreCache::open(f.dir(), "key2", f.tree.root());
  ASSERT_TRUE(bool(c));
  EXPECT_FALSE(c->has("fs/a.o"));
  ASSERT_FALSE(bool(c->keep("fs/a.o", f.tree.path("fs/a.o"))));
  // The same configuration in another farm: its .cmd copies name this
  // farm's paths.
  auto d = PreCache::open(f.dir(), "key2", "/another/farm");
  ASSERT_TRUE(bool(d));
  EXPECT_FALSE(d->has("fs/a.o"));
}

TEST(PreCache, AnObjectWithoutItsCmdCopyHasUnknownReads) {
  // Kept by a version that did not copy .cmd files (no .tree either): the
  // object stays for the batch, the header groups compile it again.
  Farm f;
  f.cache.write("series-pre/.key", "key1\n");
  f.cache.write("series-pre/fs/a.o", "old");
  auto c = PreCache::open(f.dir(), "key1", f.tree.root());
  ASSERT_TRUE(bool(c));
  EXPECT_TRUE(c->has("fs/a.o"));
  EXPECT_FALSE(c->reads("fs/a.o"));
}

TEST(PreCache, KeepingAgainReplacesTheObject) {
  Farm f;
  auto c = PreCache::open(f.dir(), "key1", f.tree.root());
  ASSERT_TRUE(bool(c));
  f.compiled("first");
  ASSERT_FALSE(bool(c->keep("fs/a.o", f.tree.path("fs/a.o"))));
  fs::remove(f.tree.path("fs/a.o"));
  f.compiled("second");
  ASSERT_FALSE(bool(c->keep("fs/a.o", f.tree.path("fs/a.o"))));
  std::ifstream in(c->path("fs/a.o"));
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "second");
}

TEST(UnchangedBy, OnlyPatchesOfFilesNotReadAndNoNewFile) {
  V reads{"fs/a.h", "include/linux/x.h"};
  using K = TouchedFile::Kind;
  EXPECT_TRUE(unchangedBy({}, reads));
  EXPECT_TRUE(unchangedBy({{"fs/b.c", K::Modified}}, reads));
  EXPECT_FALSE(unchangedBy({{"fs/b.c", K::Modified},
                            {"include/linux/x.h", K::Modified}},
                           reads));
  EXPECT_FALSE(unchangedBy({{"fs/a.h", K::Deleted}}, reads));
  // A new file may be found first by a name the object looked up.
  EXPECT_FALSE(unchangedBy({{"include/linux/y.h", K::Added}}, reads));
}

} // namespace
