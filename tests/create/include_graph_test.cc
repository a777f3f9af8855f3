// IncludeGraph over a tiny fake tree: how names resolve, forced includes,
// the closure from a header to the compilation units, and the cache.
#include "include_graph.h"
#include "test_tree.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

using namespace ksplice;
using ksplice::test::TempTree;
using V = std::vector<std::string>;

namespace {

TEST(ScanIncludes, Forms) {
  auto d = scanIncludes("#include <linux/a.h>\n"
                        "  #  include \"b.h\"  // comment\n"
                        "#include_next <c.h>\n"
                        "#include TRACE_INCLUDE(TRACE_INCLUDE_FILE)\n"
                        "#define X 1\n"
                        "#includeX <no.h>\n"
                        "int x; // #include <not-a-directive.h>\n"
                        "#include<d.h>\n");
  std::vector<IncludeDirective> want = {
      {IncludeDirective::Angle, "linux/a.h"},
      {IncludeDirective::Quote, "b.h"},
      {IncludeDirective::Next, "c.h"},
      {IncludeDirective::Macro, "TRACE_INCLUDE(TRACE_INCLUDE_FILE)"},
      {IncludeDirective::Angle, "d.h"}};
  EXPECT_EQ(d, want);
}

class IncludeGraphTest : public ::testing::Test {
protected:
  void SetUp() override {
    t.write("Makefile", "USERINCLUDE := -I$(srctree)/include/uapi \\\n"
                        "\t\t-include $(srctree)/include/linux/kconfig.h\n"
                        "-include include/config/auto.conf\n");
    t.write("scripts/Makefile.lib",
            "c_flags = $(LINUXINCLUDE) \\\n"
            "  -include $(srctree)/include/linux/compiler_types.h \\\n");
    t.write("include/linux/kconfig.h", "#include <generated/autoconf.h>\n");
    t.write("include/generated/autoconf.h", "#define CONFIG_X 1\n");
    t.write("include/linux/compiler_types.h", "#include <linux/compiler_attributes.h>\n");
    t.write("include/linux/compiler_attributes.h", "\n");
    t.write("include/linux/fs.h", "#include <linux/list.h>\n#include <asm/page.h>\n");
    t.write("include/linux/list.h", "#include <linux/types.h>\n");
    t.write("include/linux/types.h", "#include <uapi/linux/types.h>\n");
    t.write("include/uapi/linux/types.h", "\n");
    t.write("include/linux/rare.h", "static inline int rare(void) { return 1; }\n");
    t.write("include/linux/only_next.h", "#include_next <linux/only_next.h>\n");
    // asm/page.h: the arch's own first; asm/generic.h only generated.
    t.write("arch/x86/include/asm/page.h", "#include <asm/generic.h>\n");
    t.write("include/asm-generic/page.h", "\n");
    t.write("arch/x86/include/generated/asm/generic.h",
            "#include <asm-generic/generic.h>\n");
    t.write("include/asm-generic/generic.h", "\n");
    t.write("fs/proc/internal.h", "#include <linux/fs.h>\n");
    t.write("fs/proc/base.c", "#include <linux/fs.h>\n#include \"internal.h\"\n");
    t.write("fs/proc/array.c", "#include \"internal.h\"\n#include <linux/rare.h>\n");
    t.write("fs/proc/other.c", "#include \"../../include/linux/rare.h\"\n");
    t.write("fs/open.c", "#include <linux/list.h>\n");
    t.write("kernel/sched/build_policy.c", "#include \"rt.c\"\n");
    t.write("kernel/sched/rt.c", "#include \"sched.h\"\n");
    t.write("kernel/sched/sched.h", "#include <linux/fs.h>\n");
    t.write("kernel/entry.S", "#include <asm/page.h>\n");
    t.write("kernel/tables.c", "#include \"table.inc\"\n");
    t.write("kernel/table.inc", "#include <linux/rare.h>\n");
    // A driver with its own -I dir: "regs.h" is in drivers/gpu/include/.
    t.write("drivers/gpu/core/a.c", "#include \"regs.h\"\n");
    t.write("drivers/gpu/include/regs.h", "\n");
    // A directory forcing an include on its sources.
    t.write("drivers/stub/Makefile",
            "KBUILD_CFLAGS := -Os \\\n   -include $(srctree)/include/linux/hidden.h \\\n  -D__X\n");
    t.write("include/linux/hidden.h", "\n");
    t.write("drivers/stub/s.c", "\n");
    // Other architectures and the tools are not kernel -I directories.
    t.write("arch/arm/include/asm/only_arm.h", "\n");
    t.write("fs/proc/uses_arm.c", "#include <asm/only_arm.h>\n");
    t.write("tools/include/linux/rare.h", "\n");
    t.write("tools/perf/perf.c", "#include <linux/fs.h>\n");
    t.write("kernel/bpf/btf.c", "#include \"../../tools/lib/bpf/relo.h\"\n");
    t.write("tools/lib/bpf/relo.h", "#include <linux/rare.h>\n");
  }

  IncludeGraph scan(const std::string &cache = "") {
    IncludeGraph::Options o;
    o.root = t.root();
    o.cacheFile = cache;
    o.jobs = 2;
    auto g = IncludeGraph::scan(o);
    EXPECT_TRUE(bool(g)) << llvm::toString(g.takeError());
    return std::move(*g);
  }

  TempTree t;
};

TEST_F(IncludeGraphTest, Resolution) {
  auto g = scan();
  // "internal.h" relative to the includer; <linux/fs.h> through include/.
  EXPECT_EQ(g.includes("fs/proc/base.c"),
            (V{"fs/proc/internal.h", "include/linux/fs.h"}));
  // <asm/page.h>: arch/x86/include first (include/asm-generic is not a
  // search directory); its generated wrapper resolves too.
  EXPECT_EQ(g.includes("include/linux/fs.h"),
            (V{"arch/x86/include/asm/page.h", "include/linux/list.h"}));
  EXPECT_EQ(g.includes("arch/x86/include/asm/page.h"),
            (V{"arch/x86/include/generated/asm/generic.h"}));
  // "../../include/linux/rare.h" relative; a -I directory's file by name.
  EXPECT_EQ(g.includes("fs/proc/other.c"), (V{"include/linux/rare.h"}));
  EXPECT_EQ(g.includes("drivers/gpu/core/a.c"), (V{"drivers/gpu/include/regs.h"}));
  // uapi is a search directory.
  EXPECT_EQ(g.includes("include/linux/types.h"), (V{"include/uapi/linux/types.h"}));
  // Nothing in another architecture or in tools/ by name.
  EXPECT_EQ(g.includes("fs/proc/uses_arm.c"), V{});
  // That one, and only_next.h's #include_next of a file only it has.
  EXPECT_EQ(g.stats().unresolved, 2u);
}

TEST_F(IncludeGraphTest, UnitsIncludingAHeader) {
  auto g = scan();
  EXPECT_EQ(g.unitsIncluding({"fs/proc/internal.h"}),
            (V{"fs/proc/array.c", "fs/proc/base.c"}));
  // Through other headers, a .inc, and a .c included by another .c.
  EXPECT_EQ(g.unitsIncluding({"include/linux/rare.h"}),
            (V{"fs/proc/array.c", "fs/proc/other.c", "kernel/bpf/btf.c",
               "kernel/tables.c"}));
  EXPECT_EQ(g.unitsIncluding({"include/linux/fs.h"}),
            (V{"fs/proc/array.c", "fs/proc/base.c", "kernel/sched/build_policy.c",
               "kernel/sched/rt.c"}));
  EXPECT_EQ(g.unitsIncluding({"include/asm-generic/generic.h"}),
            (V{"fs/proc/array.c", "fs/proc/base.c", "kernel/entry.S",
               "kernel/sched/build_policy.c", "kernel/sched/rt.c"}));
  EXPECT_EQ(g.unitsIncluding({"kernel/sched/rt.c"}),
            (V{"kernel/sched/build_policy.c", "kernel/sched/rt.c"}));
  // tools/ is not scanned up front: its units do not count.
  EXPECT_EQ(g.unitsIncluding({"include/linux/list.h"}),
            (V{"fs/open.c", "fs/proc/array.c", "fs/proc/base.c",
               "kernel/sched/build_policy.c", "kernel/sched/rt.c"}));
}

TEST_F(IncludeGraphTest, ForcedIncludes) {
  auto g = scan();
  EXPECT_EQ(g.forcedIncludes(), (V{"include/linux/kconfig.h",
                                   "include/linux/compiler_types.h"}));
  // Every unit of the kernel proper includes autoconf.h.
  V all = g.unitsIncluding({"include/generated/autoconf.h"});
  EXPECT_EQ(all.size(), 12u);
  EXPECT_EQ(g.unitsIncluding({"include/linux/compiler_attributes.h"}), all);
  // A directory's -include reaches its own sources only.
  EXPECT_EQ(g.unitsIncluding({"include/linux/hidden.h"}), (V{"drivers/stub/s.c"}));
}

TEST_F(IncludeGraphTest, IncludersOf) {
  auto g = scan();
  EXPECT_EQ(g.includersOf({"include/linux/list.h"}),
            (V{"fs/open.c", "fs/proc/array.c", "fs/proc/base.c",
               "fs/proc/internal.h", "include/linux/fs.h", "include/linux/list.h",
               "kernel/sched/build_policy.c", "kernel/sched/rt.c",
               "kernel/sched/sched.h"}));
}

TEST_F(IncludeGraphTest, IncludeNextSkipsItself) {
  t.write("arch/x86/include/linux/only_next.h", "\n");
  auto g = scan();
  EXPECT_EQ(g.includes("include/linux/only_next.h"),
            (V{"arch/x86/include/linux/only_next.h"}));
}

TEST_F(IncludeGraphTest, CacheReadsOnlyChangedFiles) {
  std::string cache = t.path("cache");
  auto first = scan(cache);
  EXPECT_EQ(first.stats().read, first.stats().files);
  auto second = scan(cache);
  EXPECT_EQ(second.stats().read, 0u);
  EXPECT_EQ(second.includes("fs/proc/base.c"), first.includes("fs/proc/base.c"));
  // A changed file (size and time) is read again, and only it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  t.write("fs/proc/base.c", "#include <linux/rare.h>\n");
  auto third = scan(cache);
  EXPECT_EQ(third.stats().read, 1u);
  EXPECT_EQ(third.includes("fs/proc/base.c"), (V{"include/linux/rare.h"}));
  // A cache made for another source tree is not used.
  IncludeGraph::Options keyed;
  keyed.root = t.root();
  keyed.cacheFile = cache;
  keyed.cacheKey = "/some/other/linux-source";
  auto k = IncludeGraph::scan(keyed);
  ASSERT_TRUE(bool(k));
  EXPECT_EQ(k->stats().read, k->stats().files);
  // Nor one of another tree (the key defaults to the root).
  TempTree other;
  other.write("a.c", "#include \"b.h\"\n");
  other.write("b.h", "\n");
  std::filesystem::copy_file(cache, other.path("cache"));
  IncludeGraph::Options o;
  o.root = other.root();
  o.cacheFile = other.path("cache");
  auto g = IncludeGraph::scan(o);
  ASSERT_TRUE(bool(g));
  EXPECT_EQ(g->stats().read, 2u);
}

TEST_F(IncludeGraphTest, NotADirectory) {
  IncludeGraph::Options o;
  o.root = t.path("no-such-dir");
  auto g = IncludeGraph::scan(o);
  ASSERT_FALSE(bool(g));
  EXPECT_NE(llvm::toString(g.takeError()).find("not a directory"), std::string::npos);
}

} // namespace
