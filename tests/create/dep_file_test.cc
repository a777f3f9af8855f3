// parseDepFile: kbuild's .<object>.cmd, as fixdep writes it.
#include "dep_file.h"

#include <gtest/gtest.h>

using namespace ksplice;
using V = std::vector<std::string>;

namespace {

const char kCmd[] =
    "cmd_fs/proc/base.o := gcc -Wp,-MMD,fs/proc/.base.o.d -nostdinc "
    "-I./arch/x86/include -include ./include/linux/kconfig.h -c -o "
    "fs/proc/base.o fs/proc/base.c\n"
    "\n"
    "source_fs/proc/base.o := fs/proc/base.c\n"
    "\n"
    "deps_fs/proc/base.o := \\\n"
    "  include/linux/compiler-version.h \\\n"
    "    $(wildcard include/config/CC_VERSION_TEXT) \\\n"
    "  include/linux/kconfig.h \\\n"
    "    $(wildcard include/config/CPU_BIG_ENDIAN) \\\n"
    "  fs/proc/../../include/linux/rare.h \\\n"
    "  ./include/linux/fs.h \\\n"
    "  /farm/include/generated/autoconf.h \\\n"
    "  /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h \\\n"
    "  fs/proc/internal.h \\\n"
    "\n"
    "fs/proc/base.o: $(deps_fs/proc/base.o)\n"
    "\n"
    "$(deps_fs/proc/base.o):\n"
    "\n"
    "fs/proc/base.o: $(wildcard ./tools/objtool/objtool)\n";

TEST(DepFile, Deps) {
  auto deps = parseDepFile(kCmd, "fs/proc/base.o", "/farm");
  ASSERT_TRUE(deps);
  EXPECT_EQ(*deps, (V{"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h",
                      "fs/proc/internal.h", "include/generated/autoconf.h",
                      "include/linux/compiler-version.h", "include/linux/fs.h",
                      "include/linux/kconfig.h", "include/linux/rare.h"}));
}

TEST(DepFile, OtherObjectOrNoDeps) {
  EXPECT_FALSE(parseDepFile(kCmd, "fs/proc/array.o"));
  EXPECT_FALSE(parseDepFile("cmd_x.o := gcc -c x.c\n", "x.o"));
  EXPECT_FALSE(parseDepFile("", "x.o"));
}

TEST(DepFile, Path) {
  EXPECT_EQ(depFilePath("fs/proc/base.o"), "fs/proc/.base.o.cmd");
  EXPECT_EQ(depFilePath("arch/x86/kernel/vmlinux.lds"),
            "arch/x86/kernel/.vmlinux.lds.cmd");
  EXPECT_EQ(depFilePath("x.o"), ".x.o.cmd");
}

} // namespace
