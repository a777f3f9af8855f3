// A minimal kernel module image for the update tests: an ELF64
// relocatable with a .modinfo section (moduleNameOf() reads its name=).
#ifndef KSPLICE_TESTS_UPDATE_KO_IMAGE_H
#define KSPLICE_TESTS_UPDATE_KO_IMAGE_H

#include <elf.h>

#include <cstring>
#include <string>

namespace ksplice::test {

// A minimal relocatable ELF64 with a .modinfo section holding `modinfo`.
inline std::string makeKo(const std::string &modinfo) {
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


}  // namespace ksplice::test

#endif
