//===- object_file.h - A validated view of one x86-64 ELF relocatable -----===//
//
// The differ's model of an input object: sections, symbols and relocations,
// read once through LLVM's ELFFile and checked so that no later pass has to
// bounds-check anything (every relocation fits in its section, every symbol
// and section index is in range).  Nothing here knows about the kernel.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_OBJECT_FILE_H
#define KSPLICE_DIFFER_OBJECT_FILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ksplice {

struct Reloc {
  uint64_t offset = 0; // within the section it applies to
  uint32_t type = 0;   // R_X86_64_*
  uint32_t sym = 0;    // symbol table index
  int64_t addend = 0;
};

struct Section {
  uint32_t index = 0;
  std::string name;
  uint32_t type = 0; // SHT_*
  uint64_t flags = 0;
  uint64_t size = 0;
  uint64_t align = 1;
  uint64_t entsize = 0;
  llvm::ArrayRef<uint8_t> data; // empty for SHT_NOBITS
  std::vector<Reloc> relocs;    // sorted by offset
  int32_t bundled = -1; // the FUNC/OBJECT symbol that owns it, if any
                        // (other names of it are aliases: isAlias())
  // Split from a shared section (ObjectFile::splitAt()): a reference lands
  // where it meets a neighbour, which may mean the end of one or the start
  // of the other.  Right wherever the two stay side by side (the running
  // kernel's copy of the section); ambiguous for a part carried alone.
  bool splitEdge = false;

  bool isAlloc() const;
  bool isExec() const;
  bool isWrite() const;
  bool isStrings() const;
  bool isNobits() const;
};

struct Symbol {
  uint32_t index = 0;
  std::string name;
  uint8_t type = 0; // STT_*
  uint8_t bind = 0; // STB_*
  uint32_t shndx = 0; // 0 = undefined; kSectionAbs for SHN_ABS
  uint64_t value = 0;
  uint64_t size = 0;

  static constexpr uint32_t kAbs = 0xfff1;
  bool isDefined() const { return shndx != 0 && shndx != kAbs; }
  bool isFunc() const;
  bool isObject() const;
  bool isSection() const;
  bool isLocal() const;
};

class ObjectFile {
public:
  /// Reads and validates the object at PATH; messages name it NAME
  /// (default: PATH): "pre/fs/proc/cmdline.o", not a path in a cache.
  static llvm::Expected<std::unique_ptr<ObjectFile>>
  open(llvm::StringRef path, llvm::StringRef name = "");
  /// Validates an in-memory object (tests and the fuzzer); NAME is for
  /// messages only.  The buffer must outlive the object.
  static llvm::Expected<std::unique_ptr<ObjectFile>>
  parse(llvm::StringRef bytes, llvm::StringRef name);

  const std::string &name() const { return name_; }
  /// The STT_FILE symbol's name ("" if there is none).
  const std::string &sourceFile() const { return source_; }
  const std::vector<Section> &sections() const { return sections_; }
  const std::vector<Symbol> &symbols() const { return symbols_; }
  const Section &section(uint32_t i) const { return sections_[i]; }
  const Symbol &symbol(uint32_t i) const { return symbols_[i]; }
  const Section *sectionOf(const Symbol &s) const;
  const Section *findSection(llvm::StringRef name) const;
  /// The named function or object of SEC that contains OFF (or starts at
  /// it, if empty), or null.
  const Symbol *symbolAt(const Section &sec, int64_t off) const;
  /// The name that owns the function or object S names: the symbol its
  /// section is bundled with, or in a section of several things (a
  /// module's shared .init.text) the first local, else the first, of the
  /// names with S's place, size and type.  Null if S names no such thing.
  const Symbol *ownerOf(const Symbol &s) const;
  /// Whether S is another name of its owner (`cleanup_module`, which
  /// module_exit() makes an alias of the exit function).  An alias is
  /// compared, carried and replaced with its owner, never on its own.
  bool isAlias(const Symbol &s) const;

  /// "pre/x.o:(.text.f+0x1c)".
  std::string where(const Section &sec, uint64_t offset) const;

  /// Makes section SEC, which holds several functions, into one section
  /// per function, as -ffunction-sections would have compiled them:
  /// `SEC.F`, from F's start to the next function's (aliases stay
  /// together).  EXTRA are SEC's references from one of its functions to
  /// another that the assembler resolved without a relocation (found by
  /// decoding, split_section.h); they become relocations against the
  /// function referred to, as do references to SEC's section symbol.  An
  /// Error (nothing changed) if SEC has bytes before its first function, a
  /// relocation field crosses two functions, or a reference lands in none.
  llvm::Error splitByFunction(uint32_t sec, std::vector<Reloc> extra);
  /// The same for data: section SEC, which holds several objects (a
  /// module's `__read_mostly` variables), into `SEC.V` for each object V.
  llvm::Error splitByObject(uint32_t sec);
  /// The functions of SEC by start: [start, next start) of each, with the
  /// owner of each range (first local name, else first).
  std::vector<std::pair<uint64_t, uint32_t>> functionStarts(uint32_t sec) const;
  /// The same for the data objects of SEC.
  std::vector<std::pair<uint64_t, uint32_t>> objectStarts(uint32_t sec) const;

private:
  llvm::Error load(llvm::StringRef bytes);
  void index(); // bundled owners and bySection_, after load or a split
  llvm::Error splitAt(uint32_t sec,
                      std::vector<std::pair<uint64_t, uint32_t>> starts,
                      std::vector<Reloc> extra, bool byObject);

  std::unique_ptr<llvm::MemoryBuffer> buffer_;
  std::string name_;
  std::string source_;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  std::vector<std::vector<uint32_t>> bySection_; // named symbols by value
};

/// Bytes a relocation of TYPE writes (0 for types the differ rejects).
unsigned relocWidth(uint32_t type);
/// Whether TYPE is PC-relative (S + A - P).
bool relocIsPcrel(uint32_t type);

} // namespace ksplice

#endif
