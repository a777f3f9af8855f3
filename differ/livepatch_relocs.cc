//===- livepatch_relocs.cc - KlpRecords into .klp.rela sections -----------===//
//
// Edits the linked module with libelf (ELF_C_RDWR): the symbol and string
// tables grow at their ends, new relocation sections are appended, and
// libelf lays the file out again.  Existing symbol indexes do not move, so
// no other relocation changes.  The records stay behind in their
// non-allocated sections, which the module loader neither loads nor
// relocates.
//
//===----------------------------------------------------------------------===//
#include "livepatch_relocs.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

using namespace llvm;

namespace ksplice {

// The kernel's values (include/uapi/linux/elf.h).
static constexpr uint64_t kShfRelaLivepatch = 0x00100000;
static constexpr uint16_t kShnLivepatch = 0xff20;

namespace {

struct Sec {
  Elf_Scn *scn = nullptr;
  GElf_Shdr hdr{};
  Elf_Data *data = nullptr;
};

class Converter {
public:
  Converter(const std::string &path) : path(path) {}
  ~Converter() {
    if (elf)
      elf_end(elf);
    if (fd >= 0)
      close(fd);
  }
  Expected<std::vector<std::string>> run();

private:
  Error fail(const Twine &msg) {
    return createStringError(inconvertibleErrorCode(),
                             (path + ": " + msg).str());
  }
  Error open();
  Expected<Sec> section(size_t index);
  Expected<std::string> sectionName(size_t index);
  struct Load {
    size_t shndx = 0;    // section of the field
    uint64_t offset = 0; // of the field in it
    uint32_t type = 0;
    int64_t addend = 0;
    std::string name;
  };

  Error readRecords();
  Error resolve(const GElf_Rela &rela, size_t &shndx, uint64_t &offset);
  Error checkField(const Load &l);
  void setData(Sec &s, std::vector<char> bytes);
  Expected<uint32_t> addString(size_t index, const std::string &str);
  Error append();

  std::string path;
  int fd = -1;
  Elf *elf = nullptr;
  size_t shstrndx = 0, symtabIndex = 0;
  std::vector<Load> loads;
  std::vector<std::vector<char>> keep; // section contents we replaced
};

} // namespace

Error Converter::open() {
  if (elf_version(EV_CURRENT) == EV_NONE)
    return fail("libelf is out of date");
  fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return fail(Twine("cannot open: ") + strerror(errno));
  elf = elf_begin(fd, ELF_C_RDWR, nullptr);
  if (!elf || elf_kind(elf) != ELF_K_ELF || gelf_getclass(elf) != ELFCLASS64)
    return fail("not a 64-bit ELF file");
  if (elf_getshdrstrndx(elf, &shstrndx))
    return fail(elf_errmsg(-1));
  return Error::success();
}

Expected<Sec> Converter::section(size_t index) {
  Sec s;
  s.scn = elf_getscn(elf, index);
  if (!s.scn || !gelf_getshdr(s.scn, &s.hdr))
    return fail(formatv("no section {0}", index));
  s.data = elf_getdata(s.scn, nullptr);
  return s;
}

Expected<std::string> Converter::sectionName(size_t index) {
  auto s = section(index);
  if (!s)
    return s.takeError();
  const char *n = elf_strptr(elf, shstrndx, s->hdr.sh_name);
  if (!n)
    return fail(formatv("section {0} has no name", index));
  return std::string(n);
}

// The section and offset a relocation in .ksplice.klp_relocs points to.
Error Converter::resolve(const GElf_Rela &rela, size_t &shndx,
                         uint64_t &offset) {
  auto symtab = section(symtabIndex);
  if (!symtab)
    return symtab.takeError();
  GElf_Sym sym;
  if (!gelf_getsym(symtab->data, GELF_R_SYM(rela.r_info), &sym) ||
      GELF_R_TYPE(rela.r_info) != R_X86_64_64 || sym.st_shndx == SHN_UNDEF ||
      sym.st_shndx >= SHN_LORESERVE)
    return fail(formatv("malformed relocation in '{0}'", kKlpRelocsSection));
  shndx = sym.st_shndx;
  offset = sym.st_value + rela.r_addend;
  return Error::success();
}

// Reads every KlpRecord and the field and name it points to.
Error Converter::readRecords() {
  size_t n;
  if (elf_getshdrnum(elf, &n))
    return fail(elf_errmsg(-1));
  size_t recIndex = 0, relaIndex = 0;
  for (size_t i = 1; i < n; ++i) {
    auto name = sectionName(i);
    if (!name)
      return name.takeError();
    auto s = section(i);
    if (!s)
      return s.takeError();
    if (*name == kKlpRelocsSection)
      recIndex = i;
    if (s->hdr.sh_type == SHT_SYMTAB)
      symtabIndex = i;
    if (StringRef(*name).startswith(".klp.rela."))
      return fail("already has livepatch relocations ('" + *name + "')");
  }
  for (size_t i = 1; recIndex && i < n; ++i) {
    auto s = section(i);
    if (!s)
      return s.takeError();
    if (s->hdr.sh_type == SHT_RELA && s->hdr.sh_info == recIndex)
      relaIndex = i;
  }
  if (!recIndex)
    return Error::success();
  if (!relaIndex || !symtabIndex)
    return fail(formatv("'{0}' has no relocations", kKlpRelocsSection));
  auto recs = section(recIndex);
  auto relas = section(relaIndex);
  if (!recs)
    return recs.takeError();
  if (!relas)
    return relas.takeError();
  size_t count = recs->data->d_size / sizeof(KlpRecord);
  if (recs->data->d_size % sizeof(KlpRecord))
    return fail(formatv("'{0}' is not a whole number of records",
                        kKlpRelocsSection));
  std::vector<Load> out(count);
  std::vector<int> seen(count);
  for (size_t i = 0; i < relas->data->d_size / sizeof(Elf64_Rela); ++i) {
    GElf_Rela rela;
    if (!gelf_getrela(relas->data, i, &rela))
      return fail(elf_errmsg(-1));
    size_t k = rela.r_offset / sizeof(KlpRecord);
    uint64_t field = rela.r_offset % sizeof(KlpRecord);
    if (k >= count)
      return fail(formatv("relocation past the end of '{0}'",
                          kKlpRelocsSection));
    size_t shndx = 0;
    uint64_t off = 0;
    if (Error e = resolve(rela, shndx, off))
      return e;
    if (field == offsetof(KlpRecord, where)) {
      out[k].shndx = shndx;
      out[k].offset = off;
      seen[k] |= 1;
    } else if (field == offsetof(KlpRecord, name)) {
      auto names = section(shndx);
      if (!names)
        return names.takeError();
      const char *base = static_cast<const char *>(names->data->d_buf);
      size_t size = names->data->d_size;
      if (off >= size || !memchr(base + off, 0, size - off))
        return fail("a load-time symbol name is out of range");
      out[k].name = base + off;
      seen[k] |= 2;
    }
  }
  const auto *raw = static_cast<const KlpRecord *>(recs->data->d_buf);
  for (size_t k = 0; k < count; ++k) {
    if (seen[k] != 3 || out[k].name.empty())
      return fail(formatv("record {0} of '{1}' is incomplete", k,
                          kKlpRelocsSection));
    out[k].type = raw[k].type;
    out[k].addend = raw[k].addend;
    if (Error e = checkField(out[k]))
      return e;
  }
  loads = std::move(out);
  return Error::success();
}

// The field must lie in a loaded section and hold the zero that
// apply_relocate_add() insists on; the type must be one it applies.
Error Converter::checkField(const Load &l) {
  auto s = section(l.shndx);
  if (!s)
    return s.takeError();
  auto name = sectionName(l.shndx);
  if (!name)
    return name.takeError();
  unsigned width = 0;
  switch (l.type) {
  case R_X86_64_64:
  case R_X86_64_PC64:
    width = 8;
    break;
  case R_X86_64_PC32:
  case R_X86_64_PLT32:
  case R_X86_64_32:
  case R_X86_64_32S:
    width = 4;
    break;
  }
  std::string where = formatv("{0}+{1:x}", *name, l.offset);
  if (!width)
    return fail(formatv("({0}): load-time relocation of type {1} to '{2}'",
                        where, l.type, l.name));
  if (!(s->hdr.sh_flags & SHF_ALLOC) || s->hdr.sh_type != SHT_PROGBITS ||
      l.offset + width > s->hdr.sh_size || !s->data ||
      l.offset + width > s->data->d_size)
    return fail(formatv("({0}): load-time relocation to '{1}' outside a "
                        "loaded section",
                        where, l.name));
  const auto *p = static_cast<const uint8_t *>(s->data->d_buf) + l.offset;
  if (!std::all_of(p, p + width, [](uint8_t b) { return b == 0; }))
    return fail(formatv("({0}): the field of the load-time relocation to "
                        "'{1}' is not zero",
                        where, l.name));
  return Error::success();
}

// Replaces the contents of S with BYTES (kept alive until elf_update()).
void Converter::setData(Sec &s, std::vector<char> bytes) {
  keep.push_back(std::move(bytes));
  s.data->d_buf = keep.back().data();
  s.data->d_size = keep.back().size();
  elf_flagdata(s.data, ELF_C_SET, ELF_F_DIRTY);
}

Expected<uint32_t> Converter::addString(size_t index, const std::string &str) {
  auto s = section(index);
  if (!s)
    return s.takeError();
  const char *base = static_cast<const char *>(s->data->d_buf);
  std::vector<char> bytes(base, base + s->data->d_size);
  uint32_t off = bytes.size();
  bytes.insert(bytes.end(), str.begin(), str.end());
  bytes.push_back(0);
  setData(*s, std::move(bytes));
  return off;
}

// New symbols at the end of .symtab (globals come last, so no index moves)
// and one .klp.rela.vmlinux.<section> per relocated section.
Error Converter::append() {
  auto symtab = section(symtabIndex);
  if (!symtab)
    return symtab.takeError();
  size_t strtabIndex = symtab->hdr.sh_link;
  std::map<std::string, uint32_t> symIndex;
  std::vector<GElf_Sym> added;
  size_t first = symtab->data->d_size / sizeof(Elf64_Sym);
  for (const Load &l : loads) {
    if (symIndex.count(l.name))
      continue;
    auto off = addString(strtabIndex, ".klp.sym.vmlinux." + l.name + ",0");
    if (!off)
      return off.takeError();
    GElf_Sym sym{};
    sym.st_name = *off;
    sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_NOTYPE);
    sym.st_shndx = kShnLivepatch;
    symIndex[l.name] = first + added.size();
    added.push_back(sym);
  }
  symtab = section(symtabIndex);
  if (!symtab)
    return symtab.takeError();
  const char *base = static_cast<const char *>(symtab->data->d_buf);
  std::vector<char> bytes(base, base + symtab->data->d_size);
  for (const GElf_Sym &sym : added) {
    Elf64_Sym raw{};
    raw.st_name = sym.st_name;
    raw.st_info = sym.st_info;
    raw.st_shndx = sym.st_shndx;
    const char *p = reinterpret_cast<const char *>(&raw);
    bytes.insert(bytes.end(), p, p + sizeof(raw));
  }
  setData(*symtab, std::move(bytes));

  std::map<size_t, std::vector<const Load *>> bySection;
  for (const Load &l : loads)
    bySection[l.shndx].push_back(&l);
  for (auto &[shndx, list] : bySection) {
    auto target = sectionName(shndx);
    if (!target)
      return target.takeError();
    auto name = addString(shstrndx, ".klp.rela.vmlinux." + *target);
    if (!name)
      return name.takeError();
    std::vector<char> relas;
    for (const Load *l : list) {
      Elf64_Rela r{};
      r.r_offset = l->offset;
      r.r_info = ELF64_R_INFO(symIndex.at(l->name), l->type);
      r.r_addend = l->addend;
      const char *p = reinterpret_cast<const char *>(&r);
      relas.insert(relas.end(), p, p + sizeof(r));
    }
    Elf_Scn *scn = elf_newscn(elf);
    Elf_Data *data = scn ? elf_newdata(scn) : nullptr;
    GElf_Shdr hdr{};
    if (!data || !gelf_getshdr(scn, &hdr))
      return fail(elf_errmsg(-1));
    keep.push_back(std::move(relas));
    data->d_buf = keep.back().data();
    data->d_size = keep.back().size();
    data->d_type = ELF_T_RELA;
    data->d_align = 8;
    hdr.sh_name = *name;
    hdr.sh_type = SHT_RELA;
    hdr.sh_flags = SHF_INFO_LINK | kShfRelaLivepatch;
    hdr.sh_link = symtabIndex;
    hdr.sh_info = shndx;
    hdr.sh_addralign = 8;
    hdr.sh_entsize = sizeof(Elf64_Rela);
    if (!gelf_update_shdr(scn, &hdr))
      return fail(elf_errmsg(-1));
  }
  return Error::success();
}

Expected<std::vector<std::string>> Converter::run() {
  if (Error e = open())
    return std::move(e);
  if (Error e = readRecords())
    return std::move(e);
  std::set<std::string> names;
  for (const Load &l : loads)
    names.insert(l.name);
  if (loads.empty())
    return std::vector<std::string>();
  if (Error e = append())
    return std::move(e);
  if (elf_update(elf, ELF_C_WRITE) < 0)
    return fail(Twine("cannot write: ") + elf_errmsg(-1));
  return std::vector<std::string>(names.begin(), names.end());
}

Expected<std::vector<std::string>>
convertLivepatchRelocs(const std::string &path) {
  Converter c(path);
  return c.run();
}

} // namespace ksplice
