// The pruned kbuild descent (kbuild_descent.h) over a tiny fake tree: each
// target's directory is entered along its own chain only, and compiled by
// a make of its own.
#include "kbuild_descent.h"
#include "test_tree.h"

#include <gtest/gtest.h>

using namespace ksplice;
using ksplice::test::TempTree;

namespace {

TEST(KbuildDescent, EntersEachDirectoryAlongItsOwnChainOnly) {
  TempTree t;
  t.write("Kbuild", "obj-y += arch/$(SRCARCH)/ fs/ drivers/\n"
                    "obj-y += $(ARCH_DRIVERS)\n");
  t.write("arch/x86/Makefile", "drivers-y += arch/x86/pci/\n");
  t.write("arch/x86/Kbuild", "obj-y += kernel/\n");
  t.write("arch/x86/kernel/Makefile", "obj-y += setup.o\n");
  t.write("arch/x86/pci/Makefile", "obj-y := fixup.o\n");
  t.write("fs/Makefile", "obj-y += proc/\n");
  t.write("fs/proc/Makefile", "obj-y += proc.o\nproc-y := base.o sub/part.o\n");
  t.write("drivers/Makefile", "obj-y += char/ char/ipmi/\n");
  t.write("drivers/char/Makefile", "obj-y += mem.o\n");
  t.write("drivers/char/ipmi/Makefile", "obj-m += ipmi.o\n");
  auto c = ConfiguredObjects::read(t.root(), {});
  KbuildDescent d = planDescent(
      c, {"arch/x86/pci/fixup.o", "fs/proc/base.o", "fs/proc/sub/part.o",
          "drivers/char/ipmi/ipmi.o"});

  // The top enters arch/x86/pci directly; nothing enters arch/x86/ or
  // drivers/char/, whose paths are prefixes of targets' paths.
  EXPECT_NE(d.level.find("ksplice-subdirs-. := arch/x86/pci drivers fs\n"),
            std::string::npos)
      << d.level;
  EXPECT_NE(d.level.find("ksplice-subdirs-drivers := drivers/char/ipmi\n"),
            std::string::npos);
  EXPECT_NE(d.level.find("ksplice-subdirs-fs := fs/proc\n"), std::string::npos);
  EXPECT_EQ(d.level.find("ksplice-subdirs-arch/x86 "), std::string::npos);
  EXPECT_EQ(d.level.find("ksplice-subdirs-drivers/char "), std::string::npos);
  // A composite's part in a subdirectory is compiled by its Makefile's
  // directory.
  EXPECT_NE(d.level.find("ksplice-targets-fs/proc := fs/proc/base.o "
                         "fs/proc/sub/part.o\n"),
            std::string::npos);
  EXPECT_NE(d.level.find("ksplice-targets-arch/x86/pci := arch/x86/pci/fixup.o\n"),
            std::string::npos);
  EXPECT_EQ(d.level.find("include $(srctree)/scripts/Makefile.build\n"),
            d.level.find('\n', d.level.find('\n') + 1) + 1)
      << "Makefile.build comes first";
  EXPECT_NE(d.top.find("ksplice-targets: prepare\n"), std::string::npos);
  EXPECT_NE(d.top.find("obj=. need-builtin=1 need-modorder=1 ksplice-descend"),
            std::string::npos);

  auto args = writeDescent(d, t.root());
  ASSERT_TRUE(!!args) << llvm::toString(args.takeError());
  EXPECT_EQ(*args, (std::vector<std::string>{
                       "-f", "Makefile", "-f",
                       t.root() + "/.ksplice-descent-top.mk",
                       "KSPLICE_DESCENT=" + t.root() + "/.ksplice-descent.mk",
                       "ksplice-targets"}));
}

// amdgpu's Makefile names objects of sibling directories ("../pm/x.o"):
// the goal of its make is spelt the same way, or make has no rule for it.
TEST(KbuildDescent, ObjectOutsideItsMakefilesDirectoryKeepsTheDotDot) {
  TempTree t;
  t.write("Kbuild", "obj-y += drivers/\n");
  t.write("drivers/Makefile", "obj-m += amd/amdgpu/\n");
  t.write("drivers/amd/amdgpu/Makefile",
          "obj-m += amdgpu.o\namdgpu-y := main.o ../pm/dpm.o\n");
  auto c = ConfiguredObjects::read(t.root(), {});
  ASSERT_TRUE(c.lookup("drivers/amd/pm/dpm.o"));
  KbuildDescent d = planDescent(c, {"drivers/amd/pm/dpm.o",
                                    "drivers/amd/amdgpu/main.o"});
  EXPECT_NE(d.level.find("ksplice-targets-drivers/amd/amdgpu := "
                         "drivers/amd/amdgpu/../pm/dpm.o "
                         "drivers/amd/amdgpu/main.o\n"),
            std::string::npos)
      << d.level;
}

} // namespace
