// The update-id rule (update/update_id.h): what the loader and the tools
// accept, what ksplice-create gives new updates, and the derived names.
#include "update_id.h"

#include <gtest/gtest.h>

#include "sha256.h"

using namespace ksplice;

TEST(UpdateId, NewIdsAreASubsetOfValidOnes) {
  for (const char *id : {"a", "cmdline-fix", "p1a2b3c4d", "x_y-z", "0abc"}) {
    EXPECT_TRUE(isNewUpdateId(id)) << id;
    EXPECT_TRUE(isValidUpdateId(id)) << id;
  }
  // Valid for the loader, but not a name ksplice-create gives a module.
  for (const char *id : {"CVE-2024.1_x", "Fix", "a.b"}) {
    EXPECT_FALSE(isNewUpdateId(id)) << id;
    EXPECT_TRUE(isValidUpdateId(id)) << id;
  }
  EXPECT_TRUE(isNewUpdateId(std::string(40, 'a')));
  EXPECT_FALSE(isNewUpdateId(std::string(41, 'a')));
  EXPECT_TRUE(isValidUpdateId(std::string(41, 'a')));
  for (const char *id : {"", "-a", "_a", "a b", "a/b", ".a"})
    EXPECT_FALSE(isNewUpdateId(id)) << id;
}

TEST(UpdateId, Messages) {
  EXPECT_TRUE(checkUpdateId("fix"));
  EXPECT_EQ(checkUpdateId("../x").message(),
            "'../x' is not an update id ([A-Za-z0-9_.-], at most 64); "
            "'ksplice-view' lists the ids");
  EXPECT_TRUE(checkNewUpdateId("fix"));
  EXPECT_EQ(checkNewUpdateId("Fix").message(),
            "'Fix' cannot be an update id: use lower-case letters, digits, "
            "'-' and '_', at most 40 characters");
}

TEST(UpdateId, DerivedNames) {
  // sha256("") = e3b0c442...
  EXPECT_EQ(defaultUpdateId(""), "pe3b0c442");
  std::string patch = "--- a/x.c\n+++ b/x.c\n";
  EXPECT_EQ(defaultUpdateId(patch), "p" + sha256Hex(patch).substr(0, 8));
  EXPECT_EQ(defaultUpdateIdOfDigest(sha256Hex(patch)), defaultUpdateId(patch));
  EXPECT_TRUE(isNewUpdateId(defaultUpdateId(patch)));
  EXPECT_EQ(patchModuleFile("cmdline-fix"), "ksplice-cmdline-fix.ko");
  EXPECT_EQ(defaultPatchModuleName("cmdline-fix"), "ksplice_cmdline_fix");
}
