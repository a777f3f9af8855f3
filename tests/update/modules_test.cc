#include "modules.h"

#include <elf.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace ksplice;

namespace {

// A minimal relocatable ELF64 with a .modinfo section holding `modinfo`.
std::string makeKo(const std::string &modinfo) {
  const std::string shstrtab = std::string("\0.modinfo\0.shstrtab\0", 20);
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_REL;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 3;
  eh.e_shstrndx = 2;
  std::string img(sizeof(eh), '\0');
  size_t infoOff = img.size();
  img += modinfo;
  size_t strOff = img.size();
  img += shstrtab;
  eh.e_shoff = img.size();
  memcpy(&img[0], &eh, sizeof(eh));
  Elf64_Shdr sh[3]{};
  sh[1].sh_name = 1;
  sh[1].sh_type = SHT_PROGBITS;
  sh[1].sh_offset = infoOff;
  sh[1].sh_size = modinfo.size();
  sh[2].sh_name = 10;
  sh[2].sh_type = SHT_STRTAB;
  sh[2].sh_offset = strOff;
  sh[2].sh_size = shstrtab.size();
  img.append(reinterpret_cast<const char *>(sh), sizeof(sh));
  return img;
}

}  // namespace

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
