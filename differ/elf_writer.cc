//===- elf_writer.cc ------------------------------------------------------===//
#include "elf_writer.h"

#include <algorithm>
#include <cstring>

using namespace llvm::ELF;

namespace ksplice {

template <typename T>
static void append(std::vector<uint8_t> &v, const T &x) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&x);
  v.insert(v.end(), p, p + sizeof(T));
}

std::vector<uint8_t> writeElf(std::vector<OutSection> sections,
                              const std::vector<OutSymbol> &locals,
                              const std::vector<OutSymbol> &globals) {
  std::vector<uint8_t> out(sizeof(Elf64_Ehdr), 0);
  auto align = [&](uint64_t a) {
    while (out.size() % a)
      out.push_back(0);
  };
  // Final section list: contents, then .rela.*, then symtab/strtab/shstrtab.
  std::string shstr(1, '\0');
  auto shname = [&](const std::string &n) {
    uint32_t off = shstr.size();
    shstr += n;
    shstr += '\0';
    return off;
  };
  std::vector<Elf64_Shdr> shdrs(1);
  memset(&shdrs[0], 0, sizeof(Elf64_Shdr));
  for (OutSection &s : sections) {
    Elf64_Shdr h{};
    h.sh_name = shname(s.name);
    h.sh_type = s.type;
    h.sh_flags = s.flags;
    h.sh_addralign = s.align;
    h.sh_entsize = s.entsize;
    align(s.align ? s.align : 1);
    h.sh_offset = out.size();
    if (s.type == SHT_NOBITS) {
      h.sh_size = s.size;
    } else {
      h.sh_size = s.data.size();
      out.insert(out.end(), s.data.begin(), s.data.end());
    }
    shdrs.push_back(h);
  }
  uint32_t nlocal = locals.size() + 1; // + null symbol
  uint32_t symtabIndex = shdrs.size() + 0;
  // Count rela sections first to know symtab's index.
  uint32_t nrela = 0;
  for (OutSection &s : sections)
    nrela += !s.relocs.empty();
  symtabIndex = sections.size() + 1 + nrela;
  for (size_t i = 0; i < sections.size(); ++i) {
    OutSection &s = sections[i];
    if (s.relocs.empty())
      continue;
    std::stable_sort(s.relocs.begin(), s.relocs.end(),
                     [](const OutReloc &a, const OutReloc &b) {
                       return a.offset < b.offset;
                     });
    Elf64_Shdr h{};
    h.sh_name = shname(".rela" + s.name);
    h.sh_type = SHT_RELA;
    h.sh_flags = SHF_INFO_LINK;
    h.sh_addralign = 8;
    h.sh_entsize = sizeof(Elf64_Rela);
    h.sh_link = symtabIndex;
    h.sh_info = i + 1;
    align(8);
    h.sh_offset = out.size();
    for (const OutReloc &r : s.relocs) {
      Elf64_Rela rela{};
      rela.r_offset = r.offset;
      uint32_t sym = r.sym & kGlobalSym ? nlocal + (r.sym & ~kGlobalSym) : r.sym + 1;
      rela.setSymbolAndType(sym, r.type);
      rela.r_addend = r.addend;
      append(out, rela);
    }
    h.sh_size = s.relocs.size() * sizeof(Elf64_Rela);
    shdrs.push_back(h);
  }
  // Symbol and string tables.
  std::string strtab(1, '\0');
  auto strOff = [&](const std::string &n) -> uint32_t {
    if (n.empty())
      return 0;
    uint32_t off = strtab.size();
    strtab += n;
    strtab += '\0';
    return off;
  };
  align(8);
  Elf64_Shdr sh{};
  sh.sh_name = shname(".symtab");
  sh.sh_type = SHT_SYMTAB;
  sh.sh_offset = out.size();
  sh.sh_addralign = 8;
  sh.sh_entsize = sizeof(Elf64_Sym);
  sh.sh_link = symtabIndex + 1;
  sh.sh_info = nlocal;
  Elf64_Sym null{};
  append(out, null);
  auto emit = [&](const OutSymbol &s) {
    Elf64_Sym e{};
    e.st_name = strOff(s.name);
    e.st_info = s.info;
    e.st_shndx = s.section;
    e.st_value = s.value;
    e.st_size = s.size;
    append(out, e);
  };
  for (const OutSymbol &s : locals)
    emit(s);
  for (const OutSymbol &s : globals)
    emit(s);
  sh.sh_size = out.size() - sh.sh_offset;
  shdrs.push_back(sh);
  Elf64_Shdr st{};
  st.sh_name = shname(".strtab");
  st.sh_type = SHT_STRTAB;
  st.sh_offset = out.size();
  st.sh_size = strtab.size();
  st.sh_addralign = 1;
  out.insert(out.end(), strtab.begin(), strtab.end());
  shdrs.push_back(st);
  Elf64_Shdr shs{};
  shs.sh_name = shname(".shstrtab");
  shs.sh_type = SHT_STRTAB;
  shs.sh_offset = out.size();
  shs.sh_size = shstr.size();
  shs.sh_addralign = 1;
  out.insert(out.end(), shstr.begin(), shstr.end());
  shdrs.push_back(shs);

  align(8);
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, "\x7f" "ELF", 4);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_REL;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = out.size();
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = shdrs.size();
  eh.e_shstrndx = shdrs.size() - 1;
  for (const Elf64_Shdr &h : shdrs)
    append(out, h);
  memcpy(out.data(), &eh, sizeof(eh));
  return out;
}

} // namespace ksplice
