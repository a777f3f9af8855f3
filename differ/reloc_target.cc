//===- reloc_target.cc ----------------------------------------------------===//
#include "reloc_target.h"

#include "x86_64.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace ksplice {

// The string of SEC at POS, and OFF (the reference's place in the section)
// as an offset from that string's start.
static Target stringTarget(const ksplice::Section &sec, int64_t off,
                           int64_t pos) {
  Target t;
  t.kind = Target::String;
  t.sec = &sec;
  int64_t size = sec.data.size();
  if (pos < 0)
    pos = 0;
  if (pos >= size) {
    t.offset = off - size;
    return t; // one past the end: only the offset matters
  }
  int64_t start = pos;
  while (start > 0 && sec.data[start - 1] != 0)
    --start;
  int64_t end = pos;
  while (end < size && sec.data[end] != 0)
    ++end;
  t.name.assign(reinterpret_cast<const char *>(sec.data.data()) + start,
                end - start);
  t.offset = off - start;
  return t;
}

bool isAnonymous(const ksplice::Symbol &s) {
  return s.isDefined() &&
         (s.isSection() || s.type == llvm::ELF::STT_FILE || s.name.empty() ||
          llvm::StringRef(s.name).startswith(".L"));
}

Target resolveTarget(const ObjectFile &obj, const ksplice::Section &from,
                     const Reloc &r) {
  const ksplice::Symbol &s = obj.symbol(r.sym);
  int64_t bias = pcrelBias(from, r);
  Target t;
  if (s.shndx == 0) {
    t.kind = Target::External;
    t.name = s.name;
    t.offset = r.addend;
    return t;
  }
  if (s.shndx == ksplice::Symbol::kAbs) {
    t.kind = Target::Absolute;
    t.offset = s.value + r.addend;
    return t;
  }
  const ksplice::Section &sec = obj.section(s.shndx);
  int64_t off = (int64_t)s.value + r.addend;
  // A string section is merged by the linker.  Through the section symbol
  // the reference is to the string at the place (PC-relative references
  // carry the distance from the field to the end of the instruction in the
  // addend, usually -4: undo it).  Through a label (the assembler keeps one
  // when the addend is not 0), the linker adds the addend to where it put
  // the label's string, so that string is the target, however far past its
  // end the addend goes (lib/vsprintf.o: `cmp $.LC39+0xa,%rax`).
  if (sec.isStrings() && !sec.isNobits())
    return stringTarget(sec, off, s.isSection() ? off + bias : s.value);
  // Mergeable constants (.rodata.cst16): the linker merges equal entries,
  // so only the referenced entry's bytes matter.
  if ((sec.flags & llvm::ELF::SHF_MERGE) && sec.entsize && !sec.isNobits() &&
      sec.data.size() % sec.entsize == 0) {
    int64_t pos = off + bias;
    if (pos >= 0 && pos < (int64_t)sec.data.size()) {
      int64_t start = pos - pos % (int64_t)sec.entsize;
      t.kind = Target::String;
      t.sec = &sec;
      t.name.assign(reinterpret_cast<const char *>(sec.data.data()) + start,
                    sec.entsize);
      t.offset = off - start;
      return t;
    }
  }
  if (!isAnonymous(s)) {
    t.kind = Target::Symbol;
    t.sym = &s;
    t.offset = r.addend;
    return t;
  }
  if (sec.bundled >= 0) {
    t.kind = Target::Symbol;
    t.sym = &obj.symbol(sec.bundled);
    t.offset = off - (int64_t)t.sym->value;
    return t;
  }
  // A section holding several objects (explicit section attributes):
  // the object at the referenced place, so that references compare the
  // same whether or not the compiler went through the section symbol.
  if (const ksplice::Symbol *named = obj.symbolAt(sec, off + bias)) {
    t.kind = Target::Symbol;
    t.sym = named;
    t.offset = off - (int64_t)named->value;
    return t;
  }
  t.kind = Target::Section;
  t.sec = &sec;
  t.offset = off;
  return t;
}

std::string describe(const Target &t) {
  auto plus = [](int64_t off) -> std::string {
    if (off == 0)
      return "";
    if (off < 0)
      return formatv("-{0:x}", -off).str();
    return formatv("+{0:x}", off).str();
  };
  switch (t.kind) {
  case Target::External:
    return "'" + t.name + "'" + plus(t.offset);
  case Target::Symbol:
    return "'" + t.sym->name + "'" + plus(t.offset);
  case Target::Section:
    return "'" + t.sec->name + "'" + plus(t.offset);
  case Target::String:
    if (t.sec && !t.sec->isStrings())
      return "a constant in '" + t.sec->name + "'" + plus(t.offset);
    return "string \"" + t.name + "\"" + plus(t.offset);
  case Target::Absolute:
    return formatv("absolute {0:x}", t.offset).str();
  }
  return "";
}

} // namespace ksplice
