#include "module_signature.h"

#include <gtest/gtest.h>

using namespace ksplice;

TEST(ModuleSignature, EnforcementFromSysfs) {
  EXPECT_EQ(moduleSignatureEnforcement("N\n", "[none] integrity confidentiality\n"), "");
  EXPECT_EQ(moduleSignatureEnforcement("", ""), "");
  EXPECT_EQ(moduleSignatureEnforcement("Y\n", ""), "module.sig_enforce is set");
  EXPECT_EQ(moduleSignatureEnforcement("N\n", "none [integrity] confidentiality\n"),
            "the kernel is locked down (integrity)");
  EXPECT_EQ(moduleSignatureEnforcement("", "none integrity [confidentiality]\n"),
            "the kernel is locked down (confidentiality)");
}

TEST(ModuleSignature, Marker) {
  EXPECT_FALSE(hasModuleSignature("\x7f" "ELF..."));
  EXPECT_FALSE(hasModuleSignature(""));
  EXPECT_TRUE(hasModuleSignature(std::string("\x7f" "ELF...sig") +
                                 "~Module signature appended~\n"));
  EXPECT_FALSE(hasModuleSignature("~Module signature appended~"));
}

TEST(ModuleSignature, Message) {
  std::string m = unsignedModuleMessage("module.sig_enforce is set", "ksplice.ko");
  EXPECT_NE(m.find("'ksplice.ko' cannot be loaded: module.sig_enforce is set, "
                   "and it is not signed"), std::string::npos) << m;
  EXPECT_NE(m.find("--module-key"), std::string::npos);
}
