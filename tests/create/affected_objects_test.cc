// From the files of a patch to the objects ksplice-create compiles: the
// kinds of files, the plan from the configured build and the include
// graph, and the narrowing by the compiler's dependency lists.
#include "affected_objects.h"
#include "test_tree.h"

#include <gtest/gtest.h>

using namespace ksplice;
using ksplice::test::TempTree;
using V = std::vector<std::string>;

namespace {

TEST(ClassifyPatchFiles, Kinds) {
  std::vector<TouchedFile> files = {
      {"fs/proc/base.c", TouchedFile::Modified},
      {"fs/proc/new.c", TouchedFile::Added},
      {"include/linux/a.h", TouchedFile::Modified},
      {"include/linux/new.h", TouchedFile::Added},
      {"arch/x86/entry/entry_64.S", TouchedFile::Modified},
      {"fs/proc/Makefile", TouchedFile::Modified},
      {"init/Kconfig", TouchedFile::Modified},
      {"kernel/table.inc", TouchedFile::Modified}};
  PatchFiles p = classifyPatchFiles(files);
  EXPECT_EQ(p.sources, V{"fs/proc/base.c"});
  EXPECT_EQ(p.headers, V{"include/linux/a.h"});
  EXPECT_EQ(p.others, V{"kernel/table.inc"});
  ASSERT_EQ(p.refusals.size(), 4u);
  EXPECT_EQ(p.refusals[0].file, "fs/proc/new.c");
  EXPECT_EQ(p.refusals[1].file, "arch/x86/entry/entry_64.S");
  EXPECT_EQ(p.refusals[2].file, "fs/proc/Makefile");
  EXPECT_EQ(p.notes.size(), 1u); // the new header
}

// Fixes often carry documentation and selftests: those files are not
// built into the kernel, so they are noted, not refused as build files.
TEST(ClassifyPatchFiles, DocumentationAndToolsAreIgnored) {
  std::vector<TouchedFile> files = {
      {"Documentation/admin-guide/kernel-parameters.txt",
       TouchedFile::Modified},
      {"Documentation/process/index.rst", TouchedFile::Modified},
      {"tools/testing/selftests/proc/Makefile", TouchedFile::Modified},
      {"tools/testing/selftests/proc/proc-new.c", TouchedFile::Added},
      {"MAINTAINERS", TouchedFile::Modified},
      {"fs/proc/base.c", TouchedFile::Modified}};
  PatchFiles p = classifyPatchFiles(files);
  EXPECT_EQ(p.sources, V{"fs/proc/base.c"});
  EXPECT_TRUE(p.refusals.empty()) << p.refusals[0].file;
  EXPECT_TRUE(p.headers.empty());
  EXPECT_TRUE(p.others.empty());
  EXPECT_EQ(p.notes.size(), 5u);
}

TEST(CompileEstimate, Figures) {
  EXPECT_EQ(compileEstimate(10, 2), "under a minute");
  EXPECT_EQ(compileEstimate(43, 2), "under a minute");
  EXPECT_EQ(compileEstimate(600, 2), "about 10 min");
  EXPECT_EQ(compileEstimate(13000, 2), "about 3 h 37 min");
  EXPECT_EQ(compileEstimate(13000, 8), "about 54 min");
}

class PlanTest : public ::testing::Test {
protected:
  void SetUp() override {
    t.write("Kbuild", "obj-y += fs/ kernel/ drivers/\n");
    t.write("arch/x86/Makefile", "\n");
    t.write("fs/Makefile", "obj-y += proc/\nobj-m += mod.o\n");
    t.write("fs/proc/Makefile", "obj-y += proc.o\nproc-y := base.o array.o\n");
    t.write("kernel/Makefile", "obj-y += sched/\n");
    t.write("kernel/sched/Makefile", "obj-y += build_policy.o\n");
    t.write("drivers/Makefile", "obj-y += odd/\n");
    t.write("drivers/odd/Makefile", "obj-y += $(shell echo x.o)\n");
    t.write("include/linux/a.h", "static inline int a(void) { return 1; }\n");
    t.write("include/linux/unused.h", "\n");
    t.write("include/linux/b.h", "#include <linux/a.h>\n");
    t.write("fs/proc/base.c", "#include <linux/b.h>\n");
    t.write("fs/proc/array.c", "#include <linux/a.h>\n");
    t.write("fs/proc/unbuilt.c", "#include <linux/a.h>\n");
    t.write("fs/mod.c", "#include <linux/a.h>\n");
    t.write("drivers/odd/x.c", "#include <linux/a.h>\n");
    t.write("kernel/sched/build_policy.c", "#include \"rt.c\"\n");
    t.write("kernel/sched/rt.c", "\n");
    t.write("kernel/table.inc", "\n");
    t.write("kernel/tables.c", "#include \"table.inc\"\n");
    t.write("kernel/notes.txt", "\n");
    configured = ConfiguredObjects::read(t.root(), {});
  }

  GraphSource graph() {
    return [this]() -> llvm::Expected<const IncludeGraph *> {
      scans++;
      if (!g) {
        IncludeGraph::Options o;
        o.root = t.root();
        auto s = IncludeGraph::scan(o);
        if (!s)
          return s.takeError();
        g = std::move(*s);
      }
      return &*g;
    };
  }
  ObjectPlan plan(PatchFiles p) {
    auto r = planObjects(p, configured, graph(), 2,
                         [this](const std::string &s) { lines.push_back(s); });
    EXPECT_TRUE(bool(r));
    return std::move(*r);
  }
  static V objects(const ObjectPlan &p) {
    V v;
    for (const ObjectChoice &o : p.objects)
      v.push_back(o.object + "(" + o.target + (o.certain ? "" : "?") +
                  (o.narrow ? ",narrow" : "") + ")");
    return v;
  }

  TempTree t;
  ConfiguredObjects configured;
  std::optional<IncludeGraph> g;
  int scans = 0;
  V lines;
};

TEST_F(PlanTest, ConfiguredSourceNeedsNoGraph) {
  PatchFiles p;
  p.sources = {"fs/proc/base.c"};
  ObjectPlan r = plan(p);
  EXPECT_EQ(objects(r), V{"fs/proc/base.o(vmlinux)"});
  EXPECT_EQ(scans, 0);
}

TEST_F(PlanTest, HeaderIncluders) {
  PatchFiles p;
  p.headers = {"include/linux/a.h"};
  ObjectPlan r = plan(p);
  // Every configured object whose source reaches a.h; unbuilt.c is not in
  // the build; drivers/odd's Makefile is not exact: x.o is a guess.
  EXPECT_EQ(objects(r), (V{"drivers/odd/x.o(vmlinux?,narrow)",
                           "fs/mod.o(mod,narrow)",
                           "fs/proc/array.o(vmlinux,narrow)",
                           "fs/proc/base.o(vmlinux,narrow)"}));
  EXPECT_EQ(r.included, V{"include/linux/a.h"});
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("#included by 5 compilation units"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("4 objects of this configuration (2 in vmlinux, 1 in 1 "
                          "module, 1 possibly"),
            std::string::npos)
      << lines[0];
}

TEST_F(PlanTest, PatchedSourceWinsOverGraphChoice) {
  PatchFiles p;
  p.sources = {"fs/proc/base.c"};
  p.headers = {"include/linux/b.h"};
  ObjectPlan r = plan(p);
  EXPECT_EQ(objects(r), V{"fs/proc/base.o(vmlinux)"}); // not narrowed
}

TEST_F(PlanTest, SourceIncludedByAnother) {
  PatchFiles p;
  p.sources = {"kernel/sched/rt.c"};
  ObjectPlan r = plan(p);
  EXPECT_EQ(objects(r), V{"kernel/sched/build_policy.o(vmlinux,narrow)"});
  EXPECT_EQ(r.included, V{"kernel/sched/rt.c"});
}

TEST_F(PlanTest, NoIncluderMeansNoObject) {
  PatchFiles p;
  p.headers = {"include/linux/unused.h"};
  ObjectPlan r = plan(p);
  EXPECT_TRUE(r.objects.empty());
  EXPECT_TRUE(r.refusals.empty());
}

TEST_F(PlanTest, OtherFiles) {
  PatchFiles p;
  p.others = {"kernel/table.inc", "kernel/notes.txt"};
  ObjectPlan r = plan(p);
  EXPECT_EQ(objects(r), V{}); // kernel/tables.o is not in the build
  EXPECT_EQ(r.included, V{"kernel/table.inc"});
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].file, "kernel/notes.txt");
}

TEST_F(PlanTest, NarrowByDependencyFiles) {
  PatchFiles p;
  p.headers = {"include/linux/a.h"};
  ObjectPlan r = plan(p);
  auto cmd = [](const std::string &obj, const std::string &deps) {
    return "source_" + obj + " := x.c\n\ndeps_" + obj + " := \\\n" + deps +
           "\n" + obj + ": $(deps_" + obj + ")\n";
  };
  // array.o read a.h; base.o's #if left b.h's include out; mod.o has no
  // .cmd (kept: when in doubt, build it).
  t.write("fs/proc/.array.o.cmd",
          cmd("fs/proc/array.o", "  include/linux/a.h \\\n  fs/proc/array.c \\\n"));
  t.write("fs/proc/.base.o.cmd",
          cmd("fs/proc/base.o", "  include/linux/b.h \\\n  fs/proc/base.c \\\n"));
  t.write("drivers/odd/.x.o.cmd",
          cmd("drivers/odd/x.o", "  include/linux/../linux/a.h \\\n"));
  lines.clear();
  narrowObjects(r, t.root(), [this](const std::string &s) { lines.push_back(s); });
  EXPECT_EQ(objects(r), (V{"drivers/odd/x.o(vmlinux?,narrow)",
                           "fs/mod.o(mod,narrow)",
                           "fs/proc/array.o(vmlinux,narrow)"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "dependency files: 3 of 4 objects read a changed file; "
                      "dropped 1 (fs/proc/base.o)");
  EXPECT_EQ(lines[1], "no dependency list for fs/mod.o: kept");
}

} // namespace
