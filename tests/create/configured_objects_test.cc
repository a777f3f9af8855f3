// ConfiguredObjects over a tiny fake kernel tree: kbuild's descent from the
// top Kbuild, obj-y/obj-m/lib-y/extra-y, composites, module-only
// directories, and guesses in directories whose Makefiles are not exact.
#include "configured_objects.h"
#include "test_tree.h"

#include <gtest/gtest.h>

using namespace ksplice;
using ksplice::test::TempTree;

namespace {

class ConfiguredObjectsTest : public ::testing::Test {
protected:
  void SetUp() override {
    t.write("Kbuild", "obj-y += init/\n"
                      "obj-y += arch/$(SRCARCH)/\n"
                      "obj-y += kernel/ fs/\n"
                      "obj-$(CONFIG_NET) += net/\n"
                      "obj-y += $(ARCH_LIB)\n"
                      "obj-y += drivers/\n"
                      "obj-y += $(ARCH_DRIVERS)\n");
    t.write("arch/x86/Makefile", "ifeq ($(CONFIG_X86_32),y)\n"
                                 "        BITS := 32\n"
                                 "else\n"
                                 "        BITS := 64\n"
                                 "endif\n"
                                 "libs-y += arch/x86/lib/\n"
                                 "drivers-$(CONFIG_PCI) += arch/x86/pci/\n"
                                 "archprepare: checkbin\n");
    t.write("arch/x86/Kbuild", "obj-y += kernel/\n");
    t.write("arch/x86/kernel/Makefile", "extra-y += vmlinux.lds\n"
                                        "obj-y += head_$(BITS).o head$(BITS).o\n"
                                        "obj-$(CONFIG_X86_32) += only32.o\n");
    t.write("arch/x86/lib/Makefile", "lib-y := delay.o\n"
                                     "obj-y += memcpy_$(BITS).o\n");
    t.write("arch/x86/pci/Makefile", "obj-y := pci.o\n");
    t.write("init/Makefile", "obj-y := main.o version.o\n");
    t.write("lib/Makefile", "lib-y := string.o\n"
                            "obj-$(CONFIG_CRC) += crc.o\n");
    t.write("kernel/Makefile",
            "obj-y = fork.o sys.o\n"
            "obj-$(CONFIG_MODULES) += module/\n"
            "obj-$(CONFIG_OFF) += off.o off/\n"
            "obj-$(CONFIG_SCHED) += sched/\n");
    t.write("kernel/module/Makefile", "obj-y += main.o\n");
    t.write("kernel/sched/Makefile", "obj-y += core.o build_policy.o\n");
    t.write("fs/Makefile", "obj-y := open.o\n"
                           "obj-$(CONFIG_PROC_FS) += proc/\n"
                           "obj-$(CONFIG_EXT4_FS) += ext4/\n"
                           "obj-$(CONFIG_BOTH) += both.o\n"
                           "obj-m += both.o\n");
    t.write("fs/proc/Makefile", "obj-y += proc.o\n"
                                "proc-y := nommu.o\n"
                                "proc-$(CONFIG_MMU) := task_mmu.o\n"
                                "proc-y += base.o \\\n"
                                "\tcmdline.o\n"
                                "proc-$(CONFIG_OFF) += kcore.o\n");
    t.write("fs/ext4/Makefile", "obj-$(CONFIG_EXT4_FS) += ext4.o\n"
                                "ext4-y := super.o inode.o\n"
                                "ext4-$(CONFIG_EXT4_DEBUG) += debug.o\n"
                                "obj-y += stray.o\n");
    // A directory kbuild enters only for modules; one with a Makefile the
    // evaluator cannot read exactly.
    t.write("drivers/Makefile", "obj-$(CONFIG_FOO) += foo/\n"
                                "obj-y += odd/ stub/\n"
                                "obj-$(CONFIG_SND_HDA) += snd-hda-core/\n");
    t.write("drivers/foo/Makefile", "obj-m += foo-drv.o\n"
                                    "foo-drv-objs := a.o b.o\n"
                                    "obj-y += builtin-in-m-dir.o\n");
    t.write("drivers/odd/Makefile", "obj-y += named.o\n"
                                    "obj-y += $(shell cat list)\n");
    t.write("drivers/snd-hda-core/Makefile", "obj-$(CONFIG_SND_HDA) += x.o\n");
    t.write("net/Makefile", "obj-y += socket.o\n");
    t.write("drivers/stub/Makefile", "lib-y := stub.o\n");
  }

  ConfiguredObjects read() { return ConfiguredObjects::read(t.root(), config); }
  std::string where(const ConfiguredObjects &c, const std::string &o) {
    auto k = c.lookup(o);
    if (!k)
      return "-";
    return k->target + (k->certain ? "" : "?");
  }

  TempTree t;
  std::map<std::string, std::string> config = {
      {"CONFIG_64BIT", "y"},  {"CONFIG_MODULES", "y"},    {"CONFIG_PROC_FS", "y"},
      {"CONFIG_MMU", "y"},    {"CONFIG_EXT4_FS", "m"},    {"CONFIG_FOO", "m"},
      {"CONFIG_SCHED", "y"},  {"CONFIG_PCI", "y"},        {"CONFIG_BOTH", "y"},
      {"CONFIG_CRC", "m"},    {"CONFIG_SND_HDA", "m"}};
};

TEST_F(ConfiguredObjectsTest, BuiltInObjectsAndDescent) {
  auto c = read();
  EXPECT_EQ(where(c, "init/main.o"), "vmlinux");
  EXPECT_EQ(where(c, "kernel/sys.o"), "vmlinux");
  EXPECT_EQ(where(c, "kernel/module/main.o"), "vmlinux");
  EXPECT_EQ(where(c, "kernel/sched/core.o"), "vmlinux");
  EXPECT_EQ(where(c, "fs/open.o"), "vmlinux");
  EXPECT_EQ(where(c, "kernel/off.o"), "-");
  EXPECT_EQ(where(c, "kernel/off/x.o"), "-");
  EXPECT_EQ(where(c, "kernel/not-in-any-list.o"), "-");
  EXPECT_EQ(where(c, "net/socket.o"), "-"); // CONFIG_NET is not set
}

TEST_F(ConfiguredObjectsTest, ArchDirectoriesAndBits) {
  auto c = read();
  EXPECT_EQ(where(c, "arch/x86/kernel/head_64.o"), "vmlinux");
  EXPECT_EQ(where(c, "arch/x86/kernel/head64.o"), "vmlinux");
  EXPECT_EQ(where(c, "arch/x86/kernel/only32.o"), "-");
  EXPECT_EQ(where(c, "arch/x86/lib/delay.o"), "vmlinux"); // $(ARCH_LIB), lib-y
  EXPECT_EQ(where(c, "arch/x86/lib/memcpy_64.o"), "vmlinux");
  EXPECT_EQ(where(c, "arch/x86/pci/pci.o"), "vmlinux"); // $(ARCH_DRIVERS)
  EXPECT_EQ(where(c, "lib/string.o"), "vmlinux");
  EXPECT_EQ(where(c, "lib/crc.o"), "crc");
  // Another directory's lib.a (the EFI stub's) is not linked into vmlinux.
  EXPECT_EQ(where(c, "drivers/stub/stub.o"), "-");
  EXPECT_EQ(c.linkerScripts(),
            std::vector<std::string>{"arch/x86/kernel/vmlinux.lds"});
}

TEST_F(ConfiguredObjectsTest, Composites) {
  auto c = read();
  EXPECT_EQ(where(c, "fs/proc/task_mmu.o"), "vmlinux");
  EXPECT_EQ(where(c, "fs/proc/base.o"), "vmlinux");
  EXPECT_EQ(where(c, "fs/proc/cmdline.o"), "vmlinux");
  EXPECT_EQ(where(c, "fs/proc/nommu.o"), "-"); // proc-y := task_mmu.o replaced it
  EXPECT_EQ(where(c, "fs/proc/kcore.o"), "-");
  EXPECT_EQ(where(c, "fs/proc/proc.o"), "-"); // a composite, not compiled
}

TEST_F(ConfiguredObjectsTest, Modules) {
  auto c = read();
  EXPECT_EQ(where(c, "fs/ext4/super.o"), "ext4");
  EXPECT_EQ(where(c, "fs/ext4/inode.o"), "ext4");
  EXPECT_EQ(where(c, "fs/ext4/debug.o"), "-");
  // ext4/ is entered for modules only: its obj-y is linked nowhere.
  EXPECT_EQ(where(c, "fs/ext4/stray.o"), "-");
  EXPECT_EQ(where(c, "drivers/foo/a.o"), "foo_drv"); // '-' -> '_'
  EXPECT_EQ(where(c, "drivers/foo/builtin-in-m-dir.o"), "-");
  EXPECT_EQ(where(c, "drivers/snd-hda-core/x.o"), "x");
  EXPECT_EQ(where(c, "fs/both.o"), "vmlinux"); // built in and modular
  EXPECT_EQ(c.modules(),
            (std::vector<std::string>{"crc", "ext4", "foo_drv", "x"}));
}

TEST_F(ConfiguredObjectsTest, UncertainDirectoriesGuess) {
  auto c = read();
  EXPECT_EQ(where(c, "drivers/odd/named.o"), "vmlinux?");
  EXPECT_EQ(where(c, "drivers/odd/from-the-shell.o"), "vmlinux?");
  EXPECT_EQ(where(c, "drivers/odd/sub/deeper.o"), "vmlinux?");
  EXPECT_EQ(c.uncertainDirectories(), std::vector<std::string>{"drivers/odd"});
  // A certain directory's unlisted object is not built.
  EXPECT_EQ(where(c, "drivers/foo/c.o"), "-");
}

TEST_F(ConfiguredObjectsTest, DescentAndMakefileDirectories) {
  auto c = read();
  using V = std::vector<std::string>;
  // arch/x86/pci/ is reached from the top ($(ARCH_DRIVERS)), not through
  // arch/x86/, although arch/x86/ is a prefix of its path.
  EXPECT_EQ(c.descent("arch/x86/pci"), (V{"", "arch/x86/pci"}));
  EXPECT_EQ(c.descent("arch/x86/kernel"), (V{"", "arch/x86", "arch/x86/kernel"}));
  EXPECT_EQ(c.descent("fs/proc"), (V{"", "fs", "fs/proc"}));
  EXPECT_EQ(c.descent(""), V{""});
  EXPECT_EQ(c.makefileDir("fs/proc/base.o"), "fs/proc"); // a composite's part
  EXPECT_EQ(c.makefileDir("arch/x86/kernel/vmlinux.lds"), "arch/x86/kernel");
  EXPECT_EQ(c.makefileDir("drivers/odd/sub/deeper.o"), "drivers/odd"); // a guess
  EXPECT_EQ(c.lookup("drivers/odd/sub/deeper.o")->dir, "drivers/odd");
  // kbuild's subdir-ym (off/ is obj-n).
  EXPECT_EQ(c.subdirectories("kernel"),
            (V{"kernel/module", "kernel/sched"}));
  const V &top = c.subdirectories("");
  EXPECT_NE(std::find(top.begin(), top.end(), "arch/x86"), top.end());
  EXPECT_NE(std::find(top.begin(), top.end(), "arch/x86/pci"), top.end());
  EXPECT_EQ(c.objects().count("fs/ext4/inode.o"), 1u);
}

// A string option reaches the Makefiles without its quotes, as kbuild's
// include/config/auto.conf has it: CONFIG_EXTRA_FIRMWARE="" names no
// firmware object (it once made ".gen.o" an object of vmlinux).
TEST(ParseKconfig, StringsLoseTheirQuotes) {
  auto c = parseKconfig("# comment\n"
                        "CONFIG_A=y\n"
                        "CONFIG_EXTRA_FIRMWARE=\"\"\n"
                        "CONFIG_S=\"a \\\"b\\\" c\"\n"
                        "# CONFIG_N is not set\n"
                        "CONFIG_X=0x10\n");
  EXPECT_EQ(c, (std::map<std::string, std::string>{
                   {"CONFIG_A", "y"},
                   {"CONFIG_EXTRA_FIRMWARE", ""},
                   {"CONFIG_S", "a \"b\" c"},
                   {"CONFIG_X", "0x10"}}));
  TempTree t;
  t.write("Kbuild", "obj-y += fw/\n");
  t.write("fw/Makefile", "obj-y += main.o\n"
                         "obj-y += $(addsuffix .gen.o, $(CONFIG_EXTRA_FIRMWARE))\n");
  auto objs = ConfiguredObjects::read(t.root(), c);
  EXPECT_EQ(objs.objects().size(), 1u);
  EXPECT_EQ(objs.objects().count("fw/main.o"), 1u);
}

TEST_F(ConfiguredObjectsTest, ConfigurationChangesTheAnswer) {
  config["CONFIG_EXT4_FS"] = "y";
  config.erase("CONFIG_PROC_FS");
  auto c = read();
  EXPECT_EQ(where(c, "fs/ext4/super.o"), "vmlinux");
  EXPECT_EQ(where(c, "fs/ext4/stray.o"), "vmlinux");
  EXPECT_EQ(where(c, "fs/proc/base.o"), "-");
}

} // namespace
