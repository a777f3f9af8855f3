//===- elf_writer.h - Serialise a small x86-64 ELF relocatable ------------===//
//
// The patch writer decides what goes into the object; this file only lays
// it out: contents, one .rela section per section with relocations, then
// .symtab/.strtab/.shstrtab and the section header table.  No libelf: the
// layout is simple and the output must be byte-for-byte deterministic.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_ELF_WRITER_H
#define KSPLICE_DIFFER_ELF_WRITER_H

#include "llvm/BinaryFormat/ELF.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ksplice {

/// Relocation symbol indexes: an index into the locals, or kGlobalSym | an
/// index into the globals.
constexpr uint32_t kGlobalSym = 0x80000000u;

struct OutReloc {
  uint64_t offset;
  uint32_t sym; // see kGlobalSym
  uint32_t type;
  int64_t addend;
};

struct OutSection {
  std::string name;
  uint32_t type = llvm::ELF::SHT_PROGBITS;
  uint64_t flags = llvm::ELF::SHF_ALLOC;
  uint64_t align = 8;
  uint64_t entsize = 0;
  uint64_t size = 0; // for SHT_NOBITS
  std::vector<uint8_t> data;
  std::vector<OutReloc> relocs;
  uint32_t symbol = 0; // its section symbol (index into the locals)
};

struct OutSymbol {
  std::string name;
  uint8_t info = 0;
  uint32_t section = 0; // ELF section index (position + 1), 0 = undef
  uint64_t value = 0, size = 0;
};

/// The object: SECTIONS in order (ELF index = position + 1), then the
/// locals (after the null symbol) and the globals.
std::vector<uint8_t> writeElf(std::vector<OutSection> sections,
                              const std::vector<OutSymbol> &locals,
                              const std::vector<OutSymbol> &globals);

} // namespace ksplice

#endif
