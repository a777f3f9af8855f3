#include "modules.h"

#include <elf.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ko_image.h"

using namespace ksplice;
using ksplice::test::makeKo;

TEST(Modules, NameFromModinfo) {
  std::string ko = makeKo(std::string("license=GPL\0name=ksplice_fix_1\0vermagic=6.1\0", 44));
  auto n = moduleNameFromImage(ko, "/x/ksplice-fix-1.ko");
  ASSERT_TRUE(n) << n.message();
  EXPECT_EQ(*n, "ksplice_fix_1");
}

TEST(Modules, NameFallsBackToFileName) {
  std::string ko = makeKo(std::string("license=GPL\0", 12));
  auto n = moduleNameFromImage(ko, "/x/ksplice-fix-1.ko");
  ASSERT_TRUE(n) << n.message();
  EXPECT_EQ(*n, "ksplice_fix_1");
}

TEST(Modules, RejectsNonElfAndBrokenHeaders) {
  auto n = moduleNameFromImage("not an elf file at all, but long enough to "
                               "hold an ELF header.............",
                               "a.ko");
  ASSERT_FALSE(n);
  EXPECT_NE(n.message().find("'a.ko' is not a kernel module: no ELF header"),
            std::string::npos)
      << n.message();
  std::string ko = makeKo("name=x");
  Elf64_Ehdr eh;
  memcpy(&eh, ko.data(), sizeof(eh));
  eh.e_shoff = ko.size() - 10;  // section headers run past the end
  memcpy(&ko[0], &eh, sizeof(eh));
  auto b = moduleNameFromImage(ko, "b.ko");
  ASSERT_FALSE(b);
  EXPECT_NE(b.message().find("bad section header table"), std::string::npos);
}

TEST(Modules, DefaultPatchModuleName) {
  EXPECT_EQ(defaultPatchModuleName("cmdline-string"), "ksplice_cmdline_string");
  EXPECT_EQ(defaultPatchModuleName("a_b"), "ksplice_a_b");
}
