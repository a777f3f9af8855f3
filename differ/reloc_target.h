//===- reloc_target.h - What a relocation refers to -----------------------===//
//
// A relocation names a symbol plus an addend; the differ needs the thing
// referred to.  References through section symbols are turned into
// references to the section's function/object (with -ffunction-sections
// and -fdata-sections each has one), and references into string sections
// into the string itself, because string offsets differ between PRE and
// POST for reasons unrelated to the referring code.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_RELOC_TARGET_H
#define KSPLICE_DIFFER_RELOC_TARGET_H

#include "object_file.h"

#include <string>

namespace ksplice {

struct Target {
  enum Kind {
    External, // undefined symbol: `name` + offset
    Symbol,   // a named defined symbol: `sym` + offset
    Section,  // a section without an owning symbol: `sec` + offset
    String,   // a string in an SHF_STRINGS section, or an entry of a
              // mergeable-constant section: `name` holds the bytes
    Absolute, // SHN_ABS: offset holds the value
  };
  Kind kind = External;
  const ksplice::Symbol *sym = nullptr;
  const ksplice::Section *sec = nullptr;
  std::string name; // External: the symbol; String: the contents
  int64_t offset = 0;
};

/// What relocation R, which applies to section SEC of OBJ, refers to.
Target resolveTarget(const ObjectFile &obj, const Section &sec,
                     const Reloc &r);

/// A defined symbol that names only a place (section symbols, `.LC0`-style
/// local labels): references through it are references into its section.
bool isAnonymous(const Symbol &s);

/// "'foo'+0x10", "string \"abc\"", "'.rodata'+0x8" for messages.
std::string describe(const Target &t);

} // namespace ksplice

#endif
