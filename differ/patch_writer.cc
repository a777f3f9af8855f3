//===- patch_writer.cc - Write the patch object ---------------------------===//
//
// Decides what goes into the patch object; elf_writer.cc lays it out.  The
// layout is fixed (docs/patch-format.md).  Output is
// a function of the Diff only: sections, symbols and relocations are
// emitted in input order or sorted, never in hash order.
//
// Layout:
//   carried post sections (input order), with their .rela sections
//   kept table entries (one section per table, entries in input order)
//   .ksplice.pre_text     pre bytes of every pre section
//   .ksplice.str          names (NUL-terminated)
//   .ksplice.syms         struct ksplice_symbol[]
//   .ksplice.pre_relocs   struct ksplice_pre_reloc[]
//   .ksplice.sites        struct ksplice_site[]
//   .ksplice.pre          struct ksplice_pre_sect[]
//   .ksplice.funcs        struct ksplice_func[]
//   .ksplice.relocs       struct ksplice_reloc[]
//   .ksplice.hooks        struct ksplice_hook[]
//   .ksplice.unit         struct ksplice_unit (the one global symbol)
//   .ksplice.klp_relocs   load-time relocations (not loaded; livepatch_relocs.h)
//   .ksplice.klp_names      and the names of their symbols
//   .modinfo              import_ns= for the symbol namespaces it uses
//   .symtab .strtab .shstrtab
//
//===----------------------------------------------------------------------===//
#include "patch_writer.h"

#include "elf_writer.h"
#include "include.h"
#include "livepatch_relocs.h"
#include "reloc_target.h"
#include "ksplice/abi.h"
#include "special_sections.h"
#include "x86_64.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>
#include <map>
#include <set>

using namespace llvm;
using namespace llvm::ELF;

namespace ksplice {

static_assert(sizeof(ksplice_symbol) == KSPLICE_SYMBOL_SIZE, "abi");
static_assert(sizeof(ksplice_pre_reloc) == KSPLICE_PRE_RELOC_SIZE, "abi");
static_assert(sizeof(ksplice_site) == KSPLICE_SITE_SIZE, "abi");
static_assert(sizeof(ksplice_pre_sect) == KSPLICE_PRE_SECT_SIZE, "abi");
static_assert(sizeof(ksplice_reloc) == KSPLICE_RELOC_SIZE, "abi");
static_assert(sizeof(ksplice_func) == KSPLICE_FUNC_SIZE, "abi");
static_assert(sizeof(ksplice_hook) == KSPLICE_HOOK_SIZE, "abi");
static_assert(sizeof(ksplice_data) == KSPLICE_DATA_SIZE, "abi");
static_assert(sizeof(ksplice_unit) == KSPLICE_UNIT_SIZE, "abi");

std::string defaultUnitSymbol(StringRef unitName) {
  StringRef base = unitName;
  base.consume_back(".o");
  std::string out = "ksplice_unit_";
  for (char c : base)
    out += isAlnum(c) ? c : '_';
  return out;
}

static uint16_t abiRelocType(uint32_t type) {
  switch (type) {
  case R_X86_64_PC32:
  case R_X86_64_PLT32:
    return KSPLICE_R_PC32;
  case R_X86_64_32S:
    return KSPLICE_R_32S;
  case R_X86_64_32:
    return KSPLICE_R_32;
  case R_X86_64_64:
    return KSPLICE_R_64;
  case R_X86_64_PC64:
    return KSPLICE_R_PC64;
  }
  return KSPLICE_R_NONE;
}

namespace {

class Writer {
public:
  Writer(const Diff &d, const PatchOptions &o)
      : d(d), pre(*d.pre), post(*d.post), opts(o) {}
  Expected<std::vector<uint8_t>> run();

private:
  uint32_t addSection(OutSection s) {
    sections.push_back(std::move(s));
    uint32_t i = sections.size() - 1;
    OutSymbol sym;
    sym.info = (STB_LOCAL << 4) | STT_SECTION;
    sym.section = i + 1;
    locals.push_back(sym);
    sections[i].symbol = locals.size() - 1;
    return i;
  }
  uint32_t external(const std::string &name) {
    auto it = externIndex.find(name);
    if (it != externIndex.end())
      return it->second;
    OutSymbol s;
    s.name = name;
    s.info = (STB_GLOBAL << 4) | STT_NOTYPE;
    globals.push_back(s);
    uint32_t idx = kGlobal | (globals.size() - 1);
    externIndex[name] = idx;
    return idx;
  }
  uint32_t str(const std::string &s) {
    auto it = strIndex.find(s);
    if (it != strIndex.end())
      return it->second;
    uint32_t off = strData.size();
    strData.insert(strData.end(), s.begin(), s.end());
    strData.push_back(0);
    strIndex[s] = off;
    return off;
  }
  // A 64-bit pointer field at OFF of section SEC to section TO + ADDEND.
  void pointer(uint32_t sec, uint64_t off, uint32_t to, int64_t addend) {
    sections[sec].relocs.push_back(
        {off, sections[to].symbol, R_X86_64_64, addend});
  }
  uint32_t ksym(const std::string &name, uint32_t flags);
  void copyCarried();
  void copyTables();
  void copyDataImages();
  void buildMetadata();
  void buildLoadTime();
  void buildImports();
  uint32_t symbolFor(const Symbol &s);
  void relocate(OutSection &out, uint32_t outIndex, const Section &from,
                const Reloc &r, uint64_t newOffset);

  static constexpr uint32_t kGlobal = kGlobalSym;
  const Diff &d;
  const ObjectFile &pre, &post;
  const PatchOptions &opts;
  std::vector<OutSection> sections;
  std::vector<OutSymbol> locals, globals;
  std::map<std::string, uint32_t> externIndex, strIndex;
  std::map<uint32_t, uint32_t> postSecOut; // post section -> out section
  std::map<uint32_t, uint32_t> postSymOut; // post symbol -> out symbol
  uint32_t strSec = 0;
  std::vector<uint8_t> strData; // .ksplice.str
  std::vector<ksplice_symbol> syms;
  std::map<std::pair<std::string, uint32_t>, uint32_t> symIndex;
  std::vector<ksplice_reloc> lateRelocs;
  std::vector<std::pair<uint32_t, uint64_t>> lateWhere; // out sec, offset
  struct LoadTimeReloc {
    uint32_t sec; // out section
    uint64_t offset;
    uint32_t type; // R_X86_64_*
    int64_t addend;
    std::string name;
  };
  std::vector<LoadTimeReloc> loadTime;
  std::set<std::string> namespaces; // of the exports new code uses
  std::vector<uint32_t> imageOut; // out section of each d.dataImages[k]
};

uint32_t Writer::ksym(const std::string &name, uint32_t flags) {
  auto key = std::make_pair(name, flags);
  auto it = symIndex.find(key);
  if (it != symIndex.end())
    return it->second;
  ksplice_symbol s{};
  s.name = str(name);
  s.flags = flags;
  syms.push_back(s);
  symIndex[key] = syms.size() - 1;
  return syms.size() - 1;
}

static uint32_t ksymFlags(const Symbol &s, const Exports &ex) {
  uint32_t f = 0;
  if (s.isLocal())
    f |= KSPLICE_SYM_LOCAL;
  if (s.bind == STB_WEAK)
    f |= KSPLICE_SYM_WEAK;
  if (s.isFunc())
    f |= KSPLICE_SYM_FUNC;
  if (s.isObject())
    f |= KSPLICE_SYM_OBJECT;
  if (!s.isLocal() && ex.known && ex.isExported(s.name))
    f |= KSPLICE_SYM_EXPORTED;
  return f;
}

// The output symbol for carried post symbol S.
uint32_t Writer::symbolFor(const Symbol &s) {
  if (s.isSection())
    return sections[postSecOut.at(s.shndx)].symbol;
  auto it = postSymOut.find(s.index);
  if (it != postSymOut.end())
    return it->second;
  OutSymbol o;
  int32_t twin = d.corr.preOf(s);
  // Changed symbols keep PRE's name (kallsyms shows the replacement under
  // the old name) and become local, so no other object links to them.
  o.name = twin >= 0 ? pre.symbol(twin).name : s.name;
  bool global = twin < 0 && !s.isLocal();
  o.info = ((global ? s.bind : (uint8_t)STB_LOCAL) << 4) | s.type;
  o.section = postSecOut.at(s.shndx) + 1;
  o.value = s.value;
  o.size = s.size;
  uint32_t idx;
  if (global) {
    globals.push_back(o);
    idx = kGlobal | (globals.size() - 1);
  } else {
    locals.push_back(o);
    idx = locals.size() - 1;
  }
  postSymOut[s.index] = idx;
  return idx;
}

void Writer::relocate(OutSection &out, uint32_t outIndex,
                      const Section &from, const Reloc &r, uint64_t at) {
  Reference ref = d.reference(from, r);
  switch (ref.kind) {
  case Reference::Internal:
    out.relocs.push_back({at, symbolFor(*ref.sym), r.type, r.addend});
    return;
  case Reference::Exported:
    out.relocs.push_back({at, external(ref.name), r.type, ref.addend});
    if (std::string ns = d.exports.namespaceOf(ref.name); !ns.empty())
      namespaces.insert(ns);
    return;
  case Reference::Late:
  case Reference::AtComing: {
    unsigned width = relocWidth(r.type);
    if (!out.data.empty())
      std::memcpy(&out.data[at], "\x77\x77\x77\x77\x77\x77\x77\x77", width);
    // EXPORTED tells the core that a global may be another module's; one
    // without it, in a module's unit, is the module's own.
    uint32_t flags = (ref.local ? KSPLICE_SYM_LOCAL : 0) |
                     (ref.type == STT_FUNC ? KSPLICE_SYM_FUNC : 0) |
                     (ref.type == STT_OBJECT ? KSPLICE_SYM_OBJECT : 0) |
                     (!ref.local && d.exports.isExported(ref.name)
                          ? KSPLICE_SYM_EXPORTED
                          : 0);
    ksplice_reloc lr{};
    lr.addend = ref.addend;
    lr.type = abiRelocType(r.type);
    lr.sym = ksym(ref.name, flags);
    if (ref.kind == Reference::AtComing)
      lr.flags = KSPLICE_RELOC_AT_LOAD;
    lateRelocs.push_back(lr);
    lateWhere.push_back({outIndex, at});
    return;
  }
  case Reference::LoadTime:
    // The field keeps the assembler's zero, which the kernel's
    // apply_relocate_add() requires of it.
    loadTime.push_back({outIndex, at, r.type, ref.addend, ref.name});
    return;
  case Reference::Invalid:
    return; // refused by the diff; writePatch() never gets here
  }
}

void Writer::copyCarried() {
  for (uint32_t i : d.includedPost) {
    const Section &s = post.section(i);
    OutSection o;
    o.name = carriedSectionName(
        s.name, s.bundled >= 0 ? StringRef(post.symbol(s.bundled).name) : "");
    o.type = s.type;
    o.flags = s.flags & ~(uint64_t)(SHF_GROUP | SHF_LINK_ORDER);
    o.align = s.align;
    o.entsize = s.entsize;
    o.size = s.size;
    o.data.assign(s.data.begin(), s.data.end());
    postSecOut[i] = addSection(std::move(o));
  }
  // Named symbols first, in input order, so the symbol table is stable.
  // Labels in merged strings are defined only when carried code uses them:
  // __ksymtab_strings names every export of the file, and modpost takes
  // each __kstrtabns_ label it sees for a namespace declaration.
  for (const Symbol &s : post.symbols())
    if (s.isDefined() && !s.isSection() && !s.name.empty() &&
        s.type != STT_FILE && postSecOut.count(s.shndx) &&
        !StringRef(s.name).startswith(".L") &&
        !post.section(s.shndx).isStrings())
      symbolFor(s);
  for (uint32_t i : d.includedPost) {
    uint32_t out = postSecOut[i];
    for (const Reloc &r : post.section(i).relocs)
      if (d.isLive(post.section(i), r))
        relocate(sections[out], out, post.section(i), r, r.offset);
  }
}

void Writer::copyTables() {
  std::map<uint32_t, uint32_t> tableOut, companionOut;
  for (const TableEntry &e : d.keptEntries) {
    auto it = tableOut.find(e.table->index);
    if (it == tableOut.end()) {
      OutSection o;
      o.name = e.table->name;
      o.type = e.table->type;
      o.flags = e.table->flags & ~(uint64_t)(SHF_GROUP | SHF_LINK_ORDER);
      o.align = e.table->align;
      o.entsize = e.table->entsize;
      it = tableOut.emplace(e.table->index, addSection(std::move(o))).first;
      if (e.spec->companion) {
        const Section *c = post.findSection(e.spec->companion);
        OutSection oc;
        oc.name = c->name;
        oc.type = c->type;
        oc.flags = c->flags & ~(uint64_t)(SHF_GROUP | SHF_LINK_ORDER);
        oc.align = c->align;
        companionOut[e.table->index] = addSection(std::move(oc));
      }
    }
    uint32_t out = it->second;
    uint64_t base = sections[out].data.size();
    sections[out].data.insert(sections[out].data.end(),
                              e.table->data.begin() + e.offset,
                              e.table->data.begin() + e.offset +
                                  e.spec->entsize);
    for (const Reloc &r : relocsIn(*e.table, e.offset, e.spec->entsize))
      relocate(sections[out], out, *e.table, r, base + (r.offset - e.offset));
    if (e.spec->companion) {
      const Section *c = post.findSection(e.spec->companion);
      uint64_t n = e.spec->companionEntsize, off = e.index * n;
      auto &data = sections[companionOut[e.table->index]].data;
      data.insert(data.end(), c->data.begin() + off,
                  c->data.begin() + off + n);
    }
  }
}

// The new values of a module's changed data objects, one section each
// (not the object itself: references to the object stay references to
// the running module's, which the core overwrites with this value).
void Writer::copyDataImages() {
  for (const Diff::DataImage &im : d.dataImages) {
    const Section &s = post.section(im.postSec);
    OutSection o;
    o.name = ".ksplice.image." + pre.symbol(im.preSym).name;
    o.align = s.align;
    o.size = s.size;
    if (s.isNobits()) // .bss: the image is its zeros
      o.data.assign(s.size, 0);
    else
      o.data.assign(s.data.begin(), s.data.end());
    uint32_t out = addSection(std::move(o));
    for (const Reloc &r : s.relocs)
      relocate(sections[out], out, s, r, r.offset);
    imageOut.push_back(out);
  }
}

template <typename T>
static void append(std::vector<uint8_t> &v, const T &x) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&x);
  v.insert(v.end(), p, p + sizeof(T));
}

void Writer::buildMetadata() {
  OutSection text;
  text.name = ".ksplice.pre_text";
  text.align = 16;
  uint32_t preText = addSection(std::move(text));
  OutSection strs;
  strs.name = ".ksplice.str";
  strs.align = 1;
  strSec = addSection(std::move(strs));

  // Pre sections: bytes, relocations, sites.
  std::vector<ksplice_pre_sect> pres;
  std::vector<ksplice_pre_reloc> preRelocs;
  std::vector<ksplice_site> sites;
  std::vector<uint64_t> preDataOff;
  std::vector<std::pair<uint32_t, uint32_t>> preRelocRange, siteRange;
  std::map<uint32_t, uint32_t> preIndex;
  for (uint32_t i : d.preSections) {
    const Section &s = pre.section(i);
    preIndex[i] = pres.size();
    ksplice_pre_sect ps{};
    ps.size = s.size;
    ps.name = str(s.name);
    auto &bytes = sections[preText].data;
    while (bytes.size() % 16)
      bytes.push_back(0);
    preDataOff.push_back(bytes.size());
    bytes.insert(bytes.end(), s.data.begin(), s.data.end());
    if (s.isExec())
      ps.flags = KSPLICE_SECT_TEXT;
    else if (s.isStrings())
      ps.flags = KSPLICE_SECT_STRING;
    else
      ps.flags = KSPLICE_SECT_RODATA;
    if (d.isInitOnly(s))
      ps.flags |= KSPLICE_SECT_INIT;
    if (s.bundled >= 0) {
      const Symbol &b = pre.symbol(s.bundled);
      ps.sym = ksym(b.name, ksymFlags(b, d.exports));
      ps.sym_offset = b.value;
    } else {
      ps.sym = ksym(s.name, KSPLICE_SYM_SECTION);
    }
    uint32_t firstReloc = preRelocs.size();
    for (const Reloc &r : s.relocs) {
      const Symbol &t = pre.symbol(r.sym);
      ksplice_pre_reloc pr{};
      pr.offset = r.offset;
      pr.type = abiRelocType(r.type);
      pr.addend = r.addend;
      const Symbol *named = isAnonymous(t) ? nullptr : &t;
      if (isAnonymous(t)) {
        const Section &ts = pre.section(t.shndx);
        int64_t base = (int64_t)t.value + r.addend;
        int64_t off = base + pcrelBias(s, r);
        named = ts.bundled >= 0 ? &pre.symbol(ts.bundled)
                                : pre.symbolAt(ts, off);
        pr.addend = base;
        // Through a label into merged strings: the rest of the addend is
        // added to where the linker put the label's string (abi.h); the
        // loader takes a PC-relative field to end the instruction.
        bool pcrel = pr.type == KSPLICE_R_PC32 || pr.type == KSPLICE_R_PC64;
        if (ts.isStrings() && !t.isSection())
          pr.string_off = r.addend + (pcrel ? 4 : 0);
        if (named)
          pr.addend = base - (int64_t)named->value;
        else
          pr.sym = ksym(ts.name, KSPLICE_SYM_SECTION);
      }
      if (named)
        pr.sym = ksym(named->name, ksymFlags(*named, d.exports));
      preRelocs.push_back(pr);
    }
    preRelocRange.push_back({firstReloc, (uint32_t)preRelocs.size() - firstReloc});
    uint32_t firstSite = sites.size();
    std::vector<ksplice_site> mine;
    for (const TableEntry &e : d.preTables.entriesFor(i)) {
      if (!e.spec->siteKind || e.siteOffset < 0)
        continue;
      ksplice_site site{};
      site.offset = e.siteOffset;
      site.len = e.siteLen;
      site.kind = e.spec->siteKind;
      mine.push_back(site);
    }
    std::stable_sort(mine.begin(), mine.end(),
                     [](const ksplice_site &a, const ksplice_site &b) {
                       return std::make_pair(a.offset, a.kind) <
                              std::make_pair(b.offset, b.kind);
                     });
    sites.insert(sites.end(), mine.begin(), mine.end());
    siteRange.push_back({firstSite, (uint32_t)sites.size() - firstSite});
    pres.push_back(ps);
  }

  std::vector<ksplice_func> funcs;
  std::vector<uint32_t> funcRepl;
  for (uint32_t i : d.replaced) {
    const Symbol &s = pre.symbol(i);
    ksplice_func f{};
    f.name = str(s.name);
    f.pre_sect = preIndex.at(s.shndx);
    f.jump_offset = d.jumpOffset(s);
    f.flags = f.jump_offset ? KSPLICE_FUNC_FTRACE : 0;
    if (d.isInitOnly(*pre.sectionOf(s)))
      f.flags |= KSPLICE_FUNC_INIT;
    funcs.push_back(f);
    funcRepl.push_back(symbolFor(post.symbol(d.corr.symTwin[0][i])));
  }
  std::vector<uint32_t> dataSym; // the object each image is written over
  for (const Diff::DataImage &im : d.dataImages) {
    const Symbol &obj = pre.symbol(im.preSym);
    dataSym.push_back(ksym(obj.name, ksymFlags(obj, d.exports)));
  }
  uint32_t unitName = str(opts.unitName), unitTarget = str(opts.target);

  // Now emit the tables; pointer fields get R_X86_64_64 relocations.
  auto table = [&](const char *name) {
    OutSection o;
    o.name = name;
    return addSection(std::move(o));
  };
  uint32_t symSec = table(".ksplice.syms");
  for (size_t k = 0; k < syms.size(); ++k) {
    pointer(symSec, k * sizeof(ksplice_symbol), strSec, syms[k].name);
    ksplice_symbol s = syms[k];
    s.name = 0;
    append(sections[symSec].data, s);
  }
  uint32_t relocSec = table(".ksplice.pre_relocs");
  for (const ksplice_pre_reloc &r : preRelocs)
    append(sections[relocSec].data, r);
  uint32_t siteSec = table(".ksplice.sites");
  for (const ksplice_site &s : sites)
    append(sections[siteSec].data, s);
  uint32_t preSec = table(".ksplice.pre");
  for (size_t k = 0; k < pres.size(); ++k) {
    uint64_t base = k * sizeof(ksplice_pre_sect);
    ksplice_pre_sect p = pres[k];
    pointer(preSec, base + offsetof(ksplice_pre_sect, name), strSec, p.name);
    pointer(preSec, base + offsetof(ksplice_pre_sect, data), preText,
            preDataOff[k]);
    p.nr_relocs = preRelocRange[k].second;
    p.nr_sites = siteRange[k].second;
    if (p.nr_relocs)
      pointer(preSec, base + offsetof(ksplice_pre_sect, relocs), relocSec,
              preRelocRange[k].first * sizeof(ksplice_pre_reloc));
    if (p.nr_sites)
      pointer(preSec, base + offsetof(ksplice_pre_sect, sites), siteSec,
              siteRange[k].first * sizeof(ksplice_site));
    p.name = p.data = p.relocs = p.sites = 0;
    append(sections[preSec].data, p);
  }
  uint32_t funcSec = table(".ksplice.funcs");
  for (size_t k = 0; k < funcs.size(); ++k) {
    uint64_t base = k * sizeof(ksplice_func);
    ksplice_func f = funcs[k];
    pointer(funcSec, base + offsetof(ksplice_func, name), strSec, f.name);
    sections[funcSec].relocs.push_back(
        {base + offsetof(ksplice_func, repl), funcRepl[k], R_X86_64_64, 0});
    f.name = 0;
    append(sections[funcSec].data, f);
  }
  uint32_t dataSec = table(".ksplice.data");
  for (size_t k = 0; k < d.dataImages.size(); ++k) {
    uint64_t base = k * sizeof(ksplice_data);
    const Symbol &obj = pre.symbol(d.dataImages[k].preSym);
    ksplice_data e{};
    e.size = obj.size;
    e.dst = KSPLICE_CANARY;
    pointer(dataSec, base + offsetof(ksplice_data, name), strSec,
            str(obj.name));
    pointer(dataSec, base + offsetof(ksplice_data, image), imageOut[k], 0);
    ksplice_reloc lr{};
    lr.type = KSPLICE_R_64;
    lr.sym = dataSym[k];
    lateRelocs.push_back(lr);
    lateWhere.push_back({dataSec, base + offsetof(ksplice_data, dst)});
    append(sections[dataSec].data, e);
  }
  uint32_t lateSec = table(".ksplice.relocs");
  for (size_t k = 0; k < lateRelocs.size(); ++k) {
    auto [sec, off] = lateWhere[k];
    pointer(lateSec, k * sizeof(ksplice_reloc), sec, off);
    append(sections[lateSec].data, lateRelocs[k]);
  }

  uint32_t hookSec = table(".ksplice.hooks");
  for (size_t k = 0; k < d.hooks.size(); ++k) {
    const Symbol &fn = post.symbol(d.hooks[k].sym);
    uint64_t base = k * sizeof(ksplice_hook);
    ksplice_hook h{};
    h.kind = d.hooks[k].kind;
    sections[hookSec].relocs.push_back(
        {base + offsetof(ksplice_hook, fn), symbolFor(fn), R_X86_64_64, 0});
    pointer(hookSec, base + offsetof(ksplice_hook, name), strSec,
            str(fn.name));
    append(sections[hookSec].data, h);
  }

  uint32_t unitSec = table(".ksplice.unit");
  ksplice_unit u{};
  u.magic = KSPLICE_UNIT_MAGIC;
  u.version = KSPLICE_ABI_VERSION;
  u.nr_syms = syms.size();
  u.nr_pre = pres.size();
  u.nr_funcs = funcs.size();
  u.nr_relocs = lateRelocs.size();
  u.nr_hooks = d.hooks.size();
  u.nr_data = d.dataImages.size();
  append(sections[unitSec].data, u);
  pointer(unitSec, offsetof(ksplice_unit, name), strSec, unitName);
  pointer(unitSec, offsetof(ksplice_unit, target), strSec, unitTarget);
  if (u.nr_syms)
    pointer(unitSec, offsetof(ksplice_unit, syms), symSec, 0);
  if (u.nr_pre)
    pointer(unitSec, offsetof(ksplice_unit, pre), preSec, 0);
  if (u.nr_funcs)
    pointer(unitSec, offsetof(ksplice_unit, funcs), funcSec, 0);
  if (u.nr_relocs)
    pointer(unitSec, offsetof(ksplice_unit, relocs), lateSec, 0);
  if (u.nr_hooks)
    pointer(unitSec, offsetof(ksplice_unit, hooks), hookSec, 0);
  if (u.nr_data)
    pointer(unitSec, offsetof(ksplice_unit, data), dataSec, 0);
  OutSymbol us;
  us.name = opts.unitSymbol.empty() ? defaultUnitSymbol(opts.unitName)
                                    : opts.unitSymbol;
  us.info = (STB_GLOBAL << 4) | STT_OBJECT;
  us.section = unitSec + 1;
  us.size = sizeof(ksplice_unit);
  globals.insert(globals.begin(), us);
  sections[strSec].data = strData;
  // Shift recorded global indices by one.
  for (OutSection &s : sections)
    for (OutReloc &r : s.relocs)
      if (r.sym & kGlobal)
        r.sym += 1;
}

// One KlpRecord per load-time relocation, in a section the module loader
// does not load; convertLivepatchRelocs() turns them into the kernel's
// livepatch relocations once the module is linked.
void Writer::buildLoadTime() {
  if (loadTime.empty())
    return;
  OutSection names;
  names.name = kKlpNamesSection;
  names.flags = 0;
  names.align = 1;
  uint32_t namesSec = addSection(std::move(names));
  OutSection recs;
  recs.name = kKlpRelocsSection;
  recs.flags = 0;
  uint32_t recSec = addSection(std::move(recs));
  std::map<std::string, uint64_t> nameOff;
  for (size_t k = 0; k < loadTime.size(); ++k) {
    const LoadTimeReloc &l = loadTime[k];
    auto &nd = sections[namesSec].data;
    auto [it, fresh] = nameOff.insert({l.name, nd.size()});
    if (fresh) {
      nd.insert(nd.end(), l.name.begin(), l.name.end());
      nd.push_back(0);
    }
    KlpRecord rec{};
    rec.addend = l.addend;
    rec.type = l.type;
    uint64_t base = k * sizeof(KlpRecord);
    append(sections[recSec].data, rec);
    pointer(recSec, base + offsetof(KlpRecord, where), l.sec, l.offset);
    pointer(recSec, base + offsetof(KlpRecord, name), namesSec, it->second);
  }
}

// The namespaces of the namespaced exports new code uses, as
// MODULE_IMPORT_NS() declares them: modpost and the module loader check
// that a module imports every namespace it takes symbols from.
void Writer::buildImports() {
  if (namespaces.empty())
    return;
  OutSection info;
  info.name = ".modinfo";
  info.align = 1;
  for (const std::string &ns : namespaces) {
    std::string entry = "import_ns=" + ns;
    info.data.insert(info.data.end(), entry.begin(), entry.end());
    info.data.push_back(0);
  }
  addSection(std::move(info));
}

Expected<std::vector<uint8_t>> Writer::run() {
  if (d.verdict == Verdict::Unpatchable)
    return createStringError(
        inconvertibleErrorCode(),
        formatv("{0}: refusing to write a patch: {1} unpatchable change(s)",
                post.name(), d.refusals.size()));
  copyCarried();
  copyTables();
  copyDataImages();
  buildMetadata();
  buildLoadTime();
  buildImports();
  // FILE symbol first among locals.
  OutSymbol file;
  file.name = post.sourceFile();
  file.info = (STB_LOCAL << 4) | STT_FILE;
  file.section = SHN_ABS;
  locals.insert(locals.begin(), file);
  for (OutSection &s : sections)
    for (OutReloc &r : s.relocs)
      if (!(r.sym & kGlobal))
        r.sym += 1;
  if (sections.size() + 8 >= SHN_LORESERVE)
    return createStringError(inconvertibleErrorCode(),
                             "too many sections in the patch");
  return writeElf(std::move(sections), locals, globals);
}

} // namespace

Expected<std::vector<uint8_t>> writePatch(const Diff &d,
                                          const PatchOptions &opts) {
  Writer w(d, opts);
  return w.run();
}

} // namespace ksplice
