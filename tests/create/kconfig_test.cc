// The target's configuration as kbuild sees it (kconfig.h): what differs
// between it and the farm's after olddefconfig, and the compiler it names.
#include "kconfig.h"

#include <gtest/gtest.h>

using namespace ksplice;

namespace {

TEST(Kconfig, DifferencesNameWhatKconfigChanged) {
  // Debian's config, and the farm's after olddefconfig without pahole and
  // with another compiler name.
  Kconfig target = parseKconfig(
      "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\n"
      "CONFIG_PAHOLE_VERSION=124\n"
      "CONFIG_DEBUG_INFO_BTF=y\n"
      "CONFIG_DEBUG_INFO_BTF_MODULES=y\n"
      "CONFIG_MODULE_SIG_ALL=y\n");
  Kconfig farm = parseKconfig(
      "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14+deb12u1) 12.2.0\"\n"
      "CONFIG_PAHOLE_VERSION=0\n"
      "CONFIG_DEBUG_INFO_BTF=y\n"
      "CONFIG_BUILD_SALT=\"\"\n"
      "CONFIG_SYSTEM_TRUSTED_KEYS=\"\"\n"
      "CONFIG_NEW=y\n");
  EXPECT_EQ(configDifferences(target, farm),
            (std::vector<std::string>{
                "CONFIG_CC_VERSION_TEXT: 'gcc-12 (Debian 12.2.0-14+deb12u1) "
                "12.2.0' in the target's configuration, 'gcc (Debian "
                "12.2.0-14+deb12u1) 12.2.0' here",
                "CONFIG_DEBUG_INFO_BTF_MODULES: 'y' in the target's "
                "configuration, unset here",
                "CONFIG_NEW: unset in the target's configuration, 'y' here",
                "CONFIG_PAHOLE_VERSION: '124' in the target's configuration, "
                "'0' here"}));
  EXPECT_TRUE(configDifferences(target, target).empty());
}

TEST(Kconfig, CompilerIsTheOneTheConfigurationNames) {
  EXPECT_EQ(kconfigCompiler(parseKconfig(
                "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14+deb12u1) "
                "12.2.0\"\n")),
            "gcc-12");
  EXPECT_EQ(kconfigCompiler(parseKconfig("CONFIG_CC_VERSION_TEXT=\"clang "
                                         "version 14.0.6\"\n")),
            "clang");
  EXPECT_EQ(kconfigCompiler(parseKconfig("CONFIG_X=y\n")), "");
}

} // namespace
