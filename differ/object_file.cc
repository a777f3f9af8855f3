//===- object_file.cc - Read and validate an x86-64 ELF relocatable -------===//
//
// Everything that can be wrong with an input is found here, once: wrong
// class/endianness/machine/type, truncated headers or tables, section,
// symbol or string indexes out of range, relocations outside their section,
// unsupported relocation types.  LLVM's ELFFile does the table-level bounds
// checks; this file adds the cross-reference checks.
//
//===----------------------------------------------------------------------===//
#include "object_file.h"
#include "x86_64.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace llvm;
using namespace llvm::ELF;
using ELFT = llvm::object::ELF64LE;

namespace ksplice {

bool Section::isAlloc() const { return flags & SHF_ALLOC; }
bool Section::isExec() const { return flags & SHF_EXECINSTR; }
bool Section::isWrite() const { return flags & SHF_WRITE; }
bool Section::isStrings() const { return flags & SHF_STRINGS; }
bool Section::isNobits() const { return type == SHT_NOBITS; }
bool Symbol::isFunc() const { return type == STT_FUNC; }
bool Symbol::isObject() const { return type == STT_OBJECT; }
bool Symbol::isSection() const { return type == STT_SECTION; }
bool Symbol::isLocal() const { return bind == STB_LOCAL; }

unsigned relocWidth(uint32_t type) {
  switch (type) {
  case R_X86_64_NONE:
    return 0;
  case R_X86_64_PC32:
  case R_X86_64_PLT32:
  case R_X86_64_32:
  case R_X86_64_32S:
    return 4;
  case R_X86_64_64:
  case R_X86_64_PC64:
    return 8;
  default:
    return 0;
  }
}

bool relocIsPcrel(uint32_t type) {
  return type == R_X86_64_PC32 || type == R_X86_64_PLT32 ||
         type == R_X86_64_PC64;
}

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Expected<std::unique_ptr<ObjectFile>> ObjectFile::open(StringRef path,
                                                      StringRef name) {
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!buf)
    return fail(path + ": " + buf.getError().message());
  std::unique_ptr<ObjectFile> obj(new ObjectFile);
  obj->name_ = name.empty() ? path.str() : name.str();
  obj->buffer_ = std::move(*buf);
  if (Error e = obj->load(obj->buffer_->getBuffer()))
    return std::move(e);
  return std::move(obj);
}

Expected<std::unique_ptr<ObjectFile>> ObjectFile::parse(StringRef bytes,
                                                        StringRef name) {
  std::unique_ptr<ObjectFile> obj(new ObjectFile);
  obj->name_ = name.str();
  if (Error e = obj->load(bytes))
    return std::move(e);
  return std::move(obj);
}

const Section *ObjectFile::sectionOf(const Symbol &s) const {
  if (!s.isDefined())
    return nullptr;
  return &sections_[s.shndx];
}

const Section *ObjectFile::findSection(StringRef name) const {
  for (const Section &s : sections_)
    if (s.name == name)
      return &s;
  return nullptr;
}

const Symbol *ObjectFile::symbolAt(const Section &sec, int64_t off) const {
  const std::vector<uint32_t> &list = bySection_[sec.index];
  auto contains = [&](const Symbol &s) {
    return off < (int64_t)(s.value + s.size) ||
           (s.size == 0 && off == (int64_t)s.value);
  };
  // Walk back from the last symbol starting at or before OFF; `list` is
  // sorted by value, then index, so the first hit of a value group found
  // walking forward is the lowest index.
  auto end = std::upper_bound(list.begin(), list.end(), off,
                              [&](int64_t o, uint32_t i) {
                                return o < (int64_t)symbols_[i].value;
                              });
  const Symbol *best = nullptr;
  for (auto it = end; it != list.begin();) {
    const Symbol &s = symbols_[*--it];
    if (best && s.value != best->value)
      break;
    if (contains(s))
      best = &s;
  }
  return best;
}

std::string ObjectFile::where(const Section &sec, uint64_t offset) const {
  return formatv("{0}:({1}+{2:x})", name_, sec.name, offset).str();
}

// Whether symbols A and B of one section name the same thing: aliases.
static bool sameThing(const Symbol &a, const Symbol &b) {
  return a.value == b.value && a.size == b.size && a.type == b.type;
}

Error ObjectFile::load(StringRef bytes) {
  auto prefix = [&](const Twine &msg) { return fail(name_ + ": " + msg); };
  // ELFFile::create checks only the identification; check the class before
  // casting to the 64-bit header.
  if (bytes.size() < EI_NIDENT || !bytes.startswith("\x7f" "ELF"))
    return prefix("not an ELF file");
  if ((uint8_t)bytes[EI_CLASS] != ELFCLASS64 ||
      (uint8_t)bytes[EI_DATA] != ELFDATA2LSB)
    return prefix("not a 64-bit little-endian ELF file");
  auto fileOrErr = object::ELFFile<ELFT>::create(bytes);
  if (!fileOrErr)
    return prefix(toString(fileOrErr.takeError()));
  const object::ELFFile<ELFT> &file = *fileOrErr;
  const auto &hdr = file.getHeader();
  if (hdr.e_machine != EM_X86_64)
    return prefix(formatv("unsupported machine {0} (only x86-64)",
                          (unsigned)hdr.e_machine));
  if (hdr.e_type != ET_REL)
    return prefix("not a relocatable object (ET_REL)");
  if (hdr.e_phnum != 0)
    return prefix("relocatable object has program headers");

  auto shdrsOrErr = file.sections();
  if (!shdrsOrErr)
    return prefix(toString(shdrsOrErr.takeError()));
  auto shdrs = *shdrsOrErr;
  if (shdrs.empty())
    return prefix("no sections");
  uint32_t nsec = shdrs.size();
  sections_.resize(nsec);

  const typename ELFT::Shdr *symtab = nullptr;
  for (uint32_t i = 0; i < nsec; ++i) {
    const auto &sh = shdrs[i];
    Section &s = sections_[i];
    s.index = i;
    if (i == 0)
      continue;
    auto nameOrErr = file.getSectionName(sh);
    if (!nameOrErr)
      return prefix(formatv("section {0}: {1}", i,
                            toString(nameOrErr.takeError())));
    s.name = nameOrErr->str();
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.size = sh.sh_size;
    s.align = sh.sh_addralign ? (uint64_t)sh.sh_addralign : 1;
    s.entsize = sh.sh_entsize;
    if (sh.sh_type == SHT_SYMTAB) {
      if (symtab)
        return prefix("more than one symbol table");
      symtab = &sh;
    }
    if (sh.sh_type != SHT_NOBITS) {
      auto dataOrErr = file.getSectionContents(sh);
      if (!dataOrErr)
        return prefix(formatv("section '{0}': {1}", s.name,
                              toString(dataOrErr.takeError())));
      s.data = *dataOrErr;
    }
    if (sh.sh_type == SHT_REL)
      return prefix(formatv("section '{0}': SHT_REL is not used on x86-64",
                            s.name));
  }
  if (!symtab)
    return prefix("no symbol table");

  auto symsOrErr = file.symbols(symtab);
  if (!symsOrErr)
    return prefix(toString(symsOrErr.takeError()));
  auto strtabOrErr = file.getStringTableForSymtab(*symtab, shdrs);
  if (!strtabOrErr)
    return prefix(toString(strtabOrErr.takeError()));
  StringRef strtab = *strtabOrErr;
  auto syms = *symsOrErr;
  symbols_.resize(syms.size());
  for (uint32_t i = 0; i < syms.size(); ++i) {
    const auto &es = syms[i];
    Symbol &s = symbols_[i];
    s.index = i;
    if (es.st_name >= strtab.size() && es.st_name != 0)
      return prefix(formatv("symbol {0}: name offset out of range", i));
    s.name = StringRef(strtab.data() + es.st_name).str();
    if (s.name.size() > strtab.size() - es.st_name)
      return prefix(formatv("symbol {0}: unterminated name", i));
    s.type = es.getType();
    s.bind = es.getBinding();
    s.value = es.st_value;
    s.size = es.st_size;
    uint16_t shndx = es.st_shndx;
    if (shndx == SHN_UNDEF || shndx == SHN_ABS) {
      s.shndx = shndx == SHN_ABS ? Symbol::kAbs : 0;
    } else if (shndx == SHN_COMMON) {
      return prefix(formatv("symbol '{0}': common symbols are not supported "
                            "(compile with -fno-common)", s.name));
    } else if (shndx >= SHN_LORESERVE || shndx >= nsec) {
      return prefix(formatv("symbol '{0}': section index {1} out of range",
                            s.name, shndx));
    } else {
      s.shndx = shndx;
      if (s.isSection() && s.name.empty())
        s.name = sections_[shndx].name;
      const Section &sec = sections_[shndx];
      if (s.value > sec.size || s.size > sec.size - s.value)
        return prefix(formatv("symbol '{0}' lies outside section '{1}'",
                              s.name, sec.name));
    }
    if (s.type == STT_FILE && source_.empty())
      source_ = s.name;
  }

  for (uint32_t i = 1; i < nsec; ++i) {
    const auto &sh = shdrs[i];
    if (sh.sh_type != SHT_RELA)
      continue;
    if (sh.sh_link != (uint32_t)(symtab - &shdrs[0]))
      return prefix(formatv("'{0}': relocations use another symbol table",
                            sections_[i].name));
    if (sh.sh_info == 0 || sh.sh_info >= nsec)
      return prefix(formatv("'{0}': target section index {1} out of range",
                            sections_[i].name, (uint32_t)sh.sh_info));
    Section &target = sections_[sh.sh_info];
    if (!target.relocs.empty())
      return prefix(formatv("'{0}' has two relocation sections",
                            target.name));
    auto relasOrErr = file.relas(sh);
    if (!relasOrErr)
      return prefix(toString(relasOrErr.takeError()));
    for (const auto &r : *relasOrErr) {
      Reloc rel;
      rel.offset = r.r_offset;
      rel.type = r.getType(false);
      rel.sym = r.getSymbol(false);
      rel.addend = r.r_addend;
      if (rel.sym >= symbols_.size() || rel.sym == 0)
        return prefix(formatv("{0}: relocation symbol index {1} out of range",
                              where(target, rel.offset), rel.sym));
      if (rel.type == R_X86_64_NONE)
        continue;
      unsigned width = relocWidth(rel.type);
      if (!width)
        return prefix(formatv("{0}: unsupported relocation type {1}",
                              where(target, rel.offset), rel.type));
      if (target.isNobits() || rel.offset > target.size ||
          width > target.size - rel.offset)
        return prefix(formatv("{0}: relocation outside its section",
                              where(target, rel.offset)));
      target.relocs.push_back(rel);
    }
    std::stable_sort(target.relocs.begin(), target.relocs.end(),
                     [](const Reloc &a, const Reloc &b) {
                       return a.offset < b.offset;
                     });
    for (size_t k = 1; k < target.relocs.size(); ++k)
      if (target.relocs[k].offset <
          target.relocs[k - 1].offset + relocWidth(target.relocs[k - 1].type))
        return prefix(formatv("{0}: overlapping relocations",
                              where(target, target.relocs[k].offset)));
  }

  index();
  return Error::success();
}

void ObjectFile::index() {
  // A section is "bundled" with the FUNC/OBJECT symbol at its offset 0 when
  // it is the only such thing there (-ffunction-sections/-fdata-sections),
  // under one name or several: an alias has the same place, size and type
  // (module_exit()'s `cleanup_module`).  The owner is the first local one,
  // else the first: the name the source gave it.  Unnamed and `.L` symbols
  // name places, not things: never owners.
  auto owner = [](const Symbol &s) {
    return (s.isFunc() || s.isObject()) && s.isDefined() && !s.name.empty() &&
           !StringRef(s.name).startswith(".L");
  };
  uint32_t nsec = sections_.size();
  for (Section &sec : sections_)
    sec.bundled = -1;
  std::vector<int32_t> first(nsec, -1);
  std::vector<bool> alone(nsec, true);
  for (const Symbol &s : symbols_) {
    if (!owner(s))
      continue;
    int32_t &f = first[s.shndx];
    if (f < 0) {
      f = s.index;
      continue;
    }
    const Symbol &o = symbols_[f];
    if (!sameThing(s, o))
      alone[s.shndx] = false;
    else if (s.isLocal() && !o.isLocal())
      f = s.index;
  }
  for (uint32_t i = 0; i < nsec; i++)
    if (first[i] >= 0 && alone[i] && symbols_[first[i]].value == 0)
      sections_[i].bundled = first[i];
  bySection_.assign(nsec, {});
  for (const Symbol &s : symbols_)
    if (owner(s))
      bySection_[s.shndx].push_back(s.index);
  for (auto &list : bySection_)
    std::stable_sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) {
      return symbols_[a].value < symbols_[b].value;
    });
}

// The things of SEC that IS_THING accepts, by start (see functionStarts()).
template <typename Pred>
static std::vector<std::pair<uint64_t, uint32_t>>
startsOf(const std::vector<uint32_t> &bySection,
         const std::vector<Symbol> &symbols, Pred isThing) {
  std::vector<std::pair<uint64_t, uint32_t>> starts;
  for (uint32_t i : bySection) {
    const Symbol &t = symbols[i];
    if (!isThing(t))
      continue;
    if (starts.empty() || starts.back().first != t.value)
      starts.push_back({t.value, i});
    else if (t.isLocal() && !symbols[starts.back().second].isLocal())
      starts.back().second = i; // the name the source gave it
  }
  return starts;
}

std::vector<std::pair<uint64_t, uint32_t>>
ObjectFile::functionStarts(uint32_t sec) const {
  return startsOf(bySection_[sec], symbols_,
                  [](const Symbol &s) { return s.isFunc(); });
}

std::vector<std::pair<uint64_t, uint32_t>>
ObjectFile::objectStarts(uint32_t sec) const {
  return startsOf(bySection_[sec], symbols_, [](const Symbol &s) {
    return s.isObject() && !StringRef(s.name).startswith(".L");
  });
}

Error ObjectFile::splitByFunction(uint32_t si, std::vector<Reloc> extra) {
  return splitAt(si, functionStarts(si), std::move(extra), false);
}

Error ObjectFile::splitByObject(uint32_t si) {
  return splitAt(si, objectStarts(si), {}, true);
}

Error ObjectFile::splitAt(uint32_t si,
                          std::vector<std::pair<uint64_t, uint32_t>> fns,
                          std::vector<Reloc> extra, bool byObject) {
  const Section old = sections_[si]; // (sections_ grows below)
  StringRef what = byObject ? "object" : "function";
  auto refuse = [&](uint64_t off, const Twine &why) {
    return fail(where(old, off) + ": cannot split by " + what + ": " + why);
  };
  if (fns.size() < 2)
    return refuse(0, "fewer than two of them");
  if (fns[0].first != 0)
    return refuse(0, "bytes before the first");
  // Whether OFF is where one thing ends and the next begins: a reference
  // there may mean either (`&a[N]` or `&b`).
  auto isEdge = [&](int64_t off, int k) {
    if (k < 1 || (uint64_t)off != fns[k].first)
      return false;
    const Symbol &prev = symbols_[fns[k - 1].second];
    return prev.value + prev.size == fns[k].first;
  };
  std::vector<bool> edge(fns.size(), false);
  auto endOf = [&](size_t k) {
    return k + 1 < fns.size() ? fns[k + 1].first : old.size;
  };
  // Where each part ends: at the next one, except that an object's part
  // leaves out the zeros that align the next (another object's padding is
  // not its value: a change of it alone is no change of layout).
  std::vector<uint64_t> ends(fns.size());
  for (size_t k = 0; k < fns.size(); ++k) {
    const Symbol &o = symbols_[fns[k].second];
    uint64_t own = fns[k].first + o.size;
    ends[k] = endOf(k);
    if (!byObject || !o.size || own >= ends[k])
      continue;
    if (old.data.empty() || llvm::all_of(old.data.slice(own, ends[k] - own),
                                         [](uint8_t b) { return b == 0; }))
      ends[k] = own;
  }
  // The function whose range holds OFF (its end, the section's, is the
  // last one's: objtool's ORC terminator), or -1.
  auto groupOf = [&](int64_t off) -> int {
    if (off < 0 || (uint64_t)off > old.size)
      return -1;
    auto it = std::upper_bound(
        fns.begin(), fns.end(), (uint64_t)off,
        [](uint64_t o, const std::pair<uint64_t, uint32_t> &f) {
          return o < f.first;
        });
    return int(it - fns.begin()) - 1;
  };
  auto isOldSection = [&](uint32_t sym) {
    return symbols_[sym].isSection() && symbols_[sym].shndx == si;
  };
  // References to the section symbol name the function they land in.
  std::vector<std::vector<Reloc>> retargeted(sections_.size());
  for (const Section &t : sections_) {
    retargeted[t.index] = t.index == si ? t.relocs : std::vector<Reloc>();
    bool any = false;
    for (const Reloc &r : t.relocs)
      any |= isOldSection(r.sym);
    if (!any)
      continue;
    retargeted[t.index] = t.relocs;
    for (Reloc &r : retargeted[t.index]) {
      if (!isOldSection(r.sym))
        continue;
      int64_t at = r.addend + pcrelBias(t, r);
      int k = groupOf(at);
      if (k < 0)
        return refuse(r.addend, formatv("{0} refers to it outside every "
                                        "{1}",
                                        where(t, r.offset), what));
      if ((uint64_t)at > ends[k])
        return refuse(at, formatv("{0} refers to the padding after '{1}'",
                                  where(t, r.offset),
                                  symbols_[fns[k].second].name));
      if (t.isAlloc() && isEdge(at, k))
        edge[k - 1] = edge[k] = true;
      r.sym = fns[k].second;
      r.addend -= fns[k].first;
    }
  }
  // Its own relocations, and the resolved references, go with the
  // function that holds their field.
  std::vector<std::vector<Reloc>> relocs(fns.size());
  for (std::vector<Reloc> *list : {&retargeted[si], &extra})
    for (Reloc r : *list) {
      int k = groupOf(r.offset);
      if (k < 0 || r.offset + relocWidth(r.type) > ends[k])
        return refuse(r.offset, "a relocation field crosses two of them");
      r.offset -= fns[k].first;
      relocs[k].push_back(r);
    }

  for (const Section &t : sections_)
    if (t.index != si && !retargeted[t.index].empty())
      sections_[t.index].relocs = std::move(retargeted[t.index]);
  std::vector<uint32_t> parts(fns.size());
  for (size_t k = 0; k < fns.size(); ++k) {
    Section part = sections_[si];
    part.index = parts[k] = sections_.size();
    part.name = old.name + "." + symbols_[fns[k].second].name;
    part.size = ends[k] - fns[k].first;
    if (!old.data.empty())
      part.data = old.data.slice(fns[k].first, part.size);
    part.relocs = std::move(relocs[k]);
    part.splitEdge = edge[k];
    std::stable_sort(part.relocs.begin(), part.relocs.end(),
                     [](const Reloc &a, const Reloc &b) {
                       return a.offset < b.offset;
                     });
    sections_.push_back(std::move(part));
  }
  for (Symbol &s : symbols_)
    if (s.shndx == si && !s.isSection()) {
      int k = groupOf(s.value);
      s.shndx = parts[k];
      s.value -= fns[k].first;
    }
  Section &emptied = sections_[si];
  emptied.size = 0;
  emptied.data = {};
  emptied.relocs.clear();
  index();
  return Error::success();
}

const Symbol *ObjectFile::ownerOf(const Symbol &s) const {
  if (!s.isDefined() || s.shndx >= sections_.size() ||
      !(s.isFunc() || s.isObject()))
    return nullptr;
  int32_t b = sections_[s.shndx].bundled;
  if (b >= 0)
    return sameThing(s, symbols_[b]) ? &symbols_[b] : nullptr;
  const Symbol *owner = nullptr; // the rule of load()'s bundling
  for (uint32_t i : bySection_[s.shndx]) {
    const Symbol &o = symbols_[i];
    if (o.value > s.value)
      break;
    if (sameThing(s, o) && (!owner || (o.isLocal() && !owner->isLocal())))
      owner = &o;
  }
  return owner;
}

bool ObjectFile::isAlias(const Symbol &s) const {
  const Symbol *owner = ownerOf(s);
  return owner && owner != &s;
}

} // namespace ksplice
