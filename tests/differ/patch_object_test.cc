// The patch object, read back with LLVM's ELF reader: the unit struct, its
// pointer relocations, late relocations with the canary, ordinary
// relocations to exported symbols, determinism; and the ksplice-diff CLI.
#include "test_util.h"

#include "ksplice/abi.h"
#include "llvm/Object/ELF.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <sys/wait.h>

using namespace ksplice;
using namespace ksplice::test;
using namespace llvm;
using ELFT = object::ELF64LE;

namespace {

const char *kSymvers = "0x1\t_printk\tvmlinux\tEXPORT_SYMBOL\n"
                       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
                       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n";

// A parsed patch object: sections by name, relocations resolved to
// (symbol name, symbol, addend).
struct Patch {
  std::vector<uint8_t> bytes;
  std::map<std::string, ArrayRef<uint8_t>> data;
  struct Rel {
    uint64_t offset;
    uint32_t type;
    std::string sym;
    uint8_t bind, symType;
    uint16_t shndx;
    std::string symSection;
    int64_t addend;
  };
  std::map<std::string, std::vector<Rel>> relocs;
  struct Sym {
    std::string name, section;
    uint8_t bind, type;
    uint64_t value, size;
  };
  std::vector<Sym> syms;

  const Rel *relAt(const std::string &sec, uint64_t off) const {
    auto it = relocs.find(sec);
    if (it == relocs.end())
      return nullptr;
    for (const Rel &r : it->second)
      if (r.offset == off)
        return &r;
    return nullptr;
  }
  template <typename T> T read(const std::string &sec, uint64_t off) const {
    T t;
    std::memcpy(&t, data.at(sec).data() + off, sizeof(T));
    return t;
  }
  std::string cstr(uint64_t off) const {
    return reinterpret_cast<const char *>(data.at(".ksplice.str").data() +
                                          off);
  }
};

Patch parsePatch(std::vector<uint8_t> bytes) {
  Patch p;
  p.bytes = std::move(bytes);
  StringRef buf(reinterpret_cast<const char *>(p.bytes.data()),
                p.bytes.size());
  auto file = cantFail(object::ELFFile<ELFT>::create(buf));
  auto sections = cantFail(file.sections());
  const ELFT::Shdr *symtab = nullptr;
  for (const auto &sh : sections) {
    std::string name = cantFail(file.getSectionName(sh)).str();
    if (sh.sh_type == ELF::SHT_SYMTAB)
      symtab = &sh;
    if (sh.sh_type != ELF::SHT_NOBITS)
      p.data[name] = cantFail(file.getSectionContents(sh));
  }
  auto syms = cantFail(file.symbols(symtab));
  StringRef strtab = cantFail(file.getStringTableForSymtab(*symtab));
  auto secName = [&](uint16_t i) -> std::string {
    if (i == 0 || i >= sections.size())
      return "";
    return cantFail(file.getSectionName(sections[i])).str();
  };
  for (const auto &s : syms)
    p.syms.push_back({cantFail(s.getName(strtab)).str(), secName(s.st_shndx),
                      s.getBinding(), s.getType(), s.st_value, s.st_size});
  for (const auto &sh : sections) {
    if (sh.sh_type != ELF::SHT_RELA)
      continue;
    std::string target = secName(sh.sh_info);
    for (const auto &r : cantFail(file.relas(sh))) {
      const auto &s = syms[r.getSymbol(false)];
      std::string name = s.getType() == ELF::STT_SECTION
                             ? secName(s.st_shndx)
                             : cantFail(s.getName(strtab)).str();
      p.relocs[target].push_back({r.r_offset, r.getType(false), name,
                                  s.getBinding(), s.getType(), s.st_shndx,
                                  secName(s.st_shndx), r.r_addend});
    }
  }
  return p;
}

struct Written {
  Case c;
  Patch p;
};

// The patch object of case NAME, a unit of TARGET (vmlinux or a module).
Written writeCase(const std::string &name, const char *symvers,
                  const std::string &target = "vmlinux") {
  Written w{runCase(name, symvers, target), {}};
  EXPECT_TRUE(w.c.error.empty()) << w.c.error;
  if (!w.c.diff)
    return w;
  PatchOptions opts;
  opts.unitName = name + ".o";
  auto bytes = writePatch(*w.c.diff, opts);
  if (!bytes) {
    ADD_FAILURE() << toString(bytes.takeError());
    return w;
  }
  w.p = parsePatch(std::move(*bytes));
  return w;
}

TEST(PatchObject, UnitStruct) {
  Written w = writeCase("late-relocs", kSymvers);
  const Patch &p = w.p;
  // Exactly one defined global: the unit.
  int globals = 0;
  for (const auto &s : p.syms)
    if (s.bind == ELF::STB_GLOBAL && !s.section.empty()) {
      ++globals;
      EXPECT_EQ(s.name, "ksplice_unit_late_relocs");
      EXPECT_EQ(s.section, ".ksplice.unit");
      EXPECT_EQ(s.size, (uint64_t)KSPLICE_UNIT_SIZE);
    }
  EXPECT_EQ(globals, 1);
  auto u = p.read<ksplice_unit>(".ksplice.unit", 0);
  EXPECT_EQ(u.magic, KSPLICE_UNIT_MAGIC);
  EXPECT_EQ(u.version, (uint32_t)KSPLICE_ABI_VERSION);
  EXPECT_EQ(u.nr_funcs, 1u);
  EXPECT_EQ(u.nr_relocs, 2u); // helper (static) and hidden_global
  EXPECT_GE(u.nr_pre, 3u);    // foo, bar, helper (+ strings)
  // Pointer fields are R_X86_64_64 relocations.
  const Patch::Rel *name = p.relAt(".ksplice.unit", offsetof(ksplice_unit, name));
  ASSERT_TRUE(name);
  EXPECT_EQ(name->type, (uint32_t)ELF::R_X86_64_64);
  EXPECT_EQ(p.cstr(name->addend), "late-relocs.o");
  const Patch::Rel *target =
      p.relAt(".ksplice.unit", offsetof(ksplice_unit, target));
  ASSERT_TRUE(target);
  EXPECT_EQ(p.cstr(target->addend), "vmlinux");
  for (size_t off : {offsetof(ksplice_unit, syms), offsetof(ksplice_unit, pre),
                     offsetof(ksplice_unit, funcs),
                     offsetof(ksplice_unit, relocs)})
    EXPECT_TRUE(p.relAt(".ksplice.unit", off)) << off;
}

// A module's __exit function is carried as .text.<function>: the patch
// module's own .exit.text is its stub's.  Its alias stays a local name.
TEST(PatchObject, ModuleExitFunctionIsCarriedAsText) {
  Written w = writeCase("module-exit", "", "mod");
  ASSERT_TRUE(w.c.diff) << w.c.error;
  const Patch &p = w.p;
  const Patch::Rel *repl =
      p.relAt(".ksplice.funcs", offsetof(ksplice_func, repl));
  ASSERT_TRUE(repl);
  EXPECT_EQ(repl->sym, "mod_exit");
  EXPECT_EQ(repl->symSection, ".text.mod_exit");
  for (const auto &s : p.syms) {
    EXPECT_NE(s.section, ".exit.text") << s.name;
    if (s.name == "cleanup_module") {
      EXPECT_EQ(s.bind, ELF::STB_LOCAL);
    }
  }
}

// A module's init function: carried as .text (the patch module's own init
// area is freed after it loads), flagged with its pre section as init text.
TEST(PatchObject, ModuleInitFunctionIsCarriedAsTextAndFlagged) {
  Written w = writeCase("module-init", "", "mod");
  ASSERT_TRUE(w.c.diff) << w.c.error;
  const Patch &p = w.p;
  const Patch::Rel *repl =
      p.relAt(".ksplice.funcs", offsetof(ksplice_func, repl));
  ASSERT_TRUE(repl);
  EXPECT_EQ(repl->symSection, ".text.mod_init");
  auto f = p.read<ksplice_func>(".ksplice.funcs", 0);
  EXPECT_EQ(f.flags & KSPLICE_FUNC_INIT, (uint32_t)KSPLICE_FUNC_INIT);
  auto pre = p.read<ksplice_pre_sect>(".ksplice.pre", f.pre_sect * sizeof(ksplice_pre_sect));
  EXPECT_EQ(pre.flags, (uint32_t)(KSPLICE_SECT_TEXT | KSPLICE_SECT_INIT));
  for (const auto &s : p.syms)
    EXPECT_NE(s.section, ".init.text") << s.name;
}

// A module whose init code did not change: its init text, gone once the
// module is live, is not among the sections matched.
TEST(PatchObject, UnchangedModuleInitIsNotMatched) {
  Written w{runCase("module-init-kept", "", "mod"), {}};
  ASSERT_TRUE(w.c.diff) << w.c.error;
  EXPECT_EQ(w.c.diff->changedFunctions, std::vector<std::string>{"foo"});
  for (uint32_t i : w.c.diff->preSections)
    EXPECT_NE(w.c.diff->pre->section(i).name, ".init.text");
  EXPECT_FALSE(w.c.diff->preSections.empty());
}

TEST(PatchObject, ReplacedFunction) {
  Written w = writeCase("late-relocs", kSymvers);
  const Patch &p = w.p;
  auto f = p.read<ksplice_func>(".ksplice.funcs", 0);
  EXPECT_EQ(f.jump_offset, 5u);
  EXPECT_EQ(f.flags, (uint32_t)KSPLICE_FUNC_FTRACE);
  const Patch::Rel *n = p.relAt(".ksplice.funcs", offsetof(ksplice_func, name));
  ASSERT_TRUE(n);
  EXPECT_EQ(p.cstr(n->addend), "foo");
  const Patch::Rel *repl =
      p.relAt(".ksplice.funcs", offsetof(ksplice_func, repl));
  ASSERT_TRUE(repl);
  EXPECT_EQ(repl->sym, "foo"); // kallsyms shows the replacement as foo
  EXPECT_EQ(repl->bind, ELF::STB_LOCAL);
  EXPECT_EQ(repl->symType, ELF::STT_FUNC);
  EXPECT_EQ(repl->symSection, ".text.foo");
  // The pre section it names is foo's, with an ftrace site at 0.
  auto pre = p.read<ksplice_pre_sect>(".ksplice.pre",
                                      f.pre_sect * sizeof(ksplice_pre_sect));
  const Patch::Rel *pn = p.relAt(
      ".ksplice.pre", f.pre_sect * sizeof(ksplice_pre_sect) +
                          offsetof(ksplice_pre_sect, name));
  ASSERT_TRUE(pn);
  EXPECT_EQ(p.cstr(pn->addend), ".text.foo");
  EXPECT_EQ(pre.flags, (uint32_t)KSPLICE_SECT_TEXT);
  ASSERT_GE(pre.nr_sites, 1u);
  const Patch::Rel *ps = p.relAt(
      ".ksplice.pre", f.pre_sect * sizeof(ksplice_pre_sect) +
                          offsetof(ksplice_pre_sect, sites));
  ASSERT_TRUE(ps);
  auto site = p.read<ksplice_site>(".ksplice.sites", ps->addend);
  EXPECT_EQ(site.offset, 0u);
  EXPECT_EQ(site.kind, KSPLICE_SITE_FTRACE);
  EXPECT_EQ(site.len, 5u);
  // Pre bytes are PRE's.
  const Patch::Rel *pd = p.relAt(
      ".ksplice.pre", f.pre_sect * sizeof(ksplice_pre_sect) +
                          offsetof(ksplice_pre_sect, data));
  ASSERT_TRUE(pd);
  const Section *preFoo = w.c.pre->findSection(".text.foo");
  ASSERT_TRUE(preFoo);
  ASSERT_EQ(pre.size, preFoo->size);
  EXPECT_EQ(0, std::memcmp(p.data.at(".ksplice.pre_text").data() + pd->addend,
                           preFoo->data.data(), pre.size));
}

// Each pre section's symbol says how the loader may treat a mismatch:
// only a __weak definition may be overridden by another object's.
TEST(PatchObject, PreSymbolFlags) {
  Written w = writeCase("weak-function", kSymvers);
  const Patch &p = w.p;
  auto u = p.read<ksplice_unit>(".ksplice.unit", 0);
  std::map<std::string, uint32_t> flags;
  for (uint32_t k = 0; k < u.nr_pre; ++k) {
    auto pre = p.read<ksplice_pre_sect>(".ksplice.pre",
                                        k * sizeof(ksplice_pre_sect));
    auto sym = p.read<ksplice_symbol>(".ksplice.syms",
                                      pre.sym * sizeof(ksplice_symbol));
    const Patch::Rel *sn =
        p.relAt(".ksplice.syms", pre.sym * sizeof(ksplice_symbol));
    ASSERT_TRUE(sn);
    flags[p.cstr(sn->addend)] = sym.flags;
  }
  EXPECT_EQ(flags["weak_fn"], (uint32_t)(KSPLICE_SYM_WEAK | KSPLICE_SYM_FUNC));
  EXPECT_EQ(flags["global_fn"], (uint32_t)KSPLICE_SYM_FUNC);
  EXPECT_EQ(flags["static_fn"], (uint32_t)(KSPLICE_SYM_LOCAL | KSPLICE_SYM_FUNC));
}

// A pre relocation into merged strings through a label keeps the place
// (`.LC1` at 4, plus 10) and how far past the label's string it points, so
// the loader compares " pref" at the place less 10 (abi.h).
TEST(PatchObject, StringThroughALabelKeepsTheLabelsString) {
  Written w = writeCase("string-label-addend", kSymvers);
  const Patch &p = w.p;
  auto u = p.read<ksplice_unit>(".ksplice.unit", 0);
  std::map<std::string, std::vector<ksplice_pre_reloc>> relocs;  // by section
  for (uint32_t k = 0; k < u.nr_pre; ++k) {
    uint64_t at = k * sizeof(ksplice_pre_sect);
    auto pre = p.read<ksplice_pre_sect>(".ksplice.pre", at);
    const Patch::Rel *pn =
        p.relAt(".ksplice.pre", at + offsetof(ksplice_pre_sect, name));
    const Patch::Rel *pr =
        p.relAt(".ksplice.pre", at + offsetof(ksplice_pre_sect, relocs));
    ASSERT_TRUE(pn && (pr || !pre.nr_relocs));
    for (uint32_t j = 0; j < pre.nr_relocs; ++j)
      relocs[p.cstr(pn->addend)].push_back(p.read<ksplice_pre_reloc>(
          ".ksplice.pre_relocs", pr->addend + j * sizeof(ksplice_pre_reloc)));
  }
  bool found = false;
  for (const ksplice_pre_reloc &r : relocs[".text.first"]) {
    if (r.type != KSPLICE_R_32S)
      continue;
    found = true;
    EXPECT_EQ(r.addend, 14);
    EXPECT_EQ(r.string_off, 10);
  }
  EXPECT_TRUE(found);
  for (const ksplice_pre_reloc &r : relocs[".text.second"])
    EXPECT_EQ(r.string_off, 0);
}

TEST(PatchObject, LateRelocationsHoldTheCanary) {
  Written w = writeCase("late-relocs", kSymvers);
  const Patch &p = w.p;
  auto u = p.read<ksplice_unit>(".ksplice.unit", 0);
  std::set<std::string> names;
  for (uint32_t k = 0; k < u.nr_relocs; ++k) {
    auto r = p.read<ksplice_reloc>(".ksplice.relocs", k * sizeof(ksplice_reloc));
    EXPECT_EQ(r.type, KSPLICE_R_PC32);
    const Patch::Rel *where =
        p.relAt(".ksplice.relocs", k * sizeof(ksplice_reloc));
    ASSERT_TRUE(where);
    EXPECT_EQ(where->symSection, ".text.foo");
    uint32_t field = p.read<uint32_t>(".text.foo", where->addend);
    EXPECT_EQ(field, (uint32_t)KSPLICE_CANARY);
    // No ELF relocation at a late-relocated field.
    EXPECT_FALSE(p.relAt(".text.foo", where->addend));
    auto sym = p.read<ksplice_symbol>(".ksplice.syms",
                                      r.sym * sizeof(ksplice_symbol));
    const Patch::Rel *sn =
        p.relAt(".ksplice.syms", r.sym * sizeof(ksplice_symbol));
    ASSERT_TRUE(sn);
    std::string name = p.cstr(sn->addend);
    names.insert(name);
    if (name == "hidden_global")
      EXPECT_EQ(sym.flags & KSPLICE_SYM_LOCAL, 0u);
    else
      EXPECT_EQ(sym.flags, (uint32_t)(KSPLICE_SYM_LOCAL | KSPLICE_SYM_FUNC));
  }
  EXPECT_TRUE(names.count("hidden_global"));
  // Exported symbols stay ordinary relocations to undefined globals.
  bool printk = false;
  for (const Patch::Rel &r : p.relocs.at(".text.foo"))
    if (r.sym == "_printk") {
      printk = true;
      EXPECT_EQ(r.shndx, 0);
      EXPECT_EQ(r.bind, ELF::STB_GLOBAL);
    }
  EXPECT_TRUE(printk);
}

// A module's changed structure: its new value in a section of its own,
// pointing to the carried callback (ELF) and to the running module's
// function (late); the data entry's destination is a late relocation to
// the object.
TEST(PatchObject, ModuleDataImageAndEntry) {
  Written w = writeCase("module-data-pointer", "", "mod");
  ASSERT_TRUE(w.c.diff) << w.c.error;
  const Patch &p = w.p;
  auto u = p.read<ksplice_unit>(".ksplice.unit", 0);
  ASSERT_EQ(u.nr_data, 1u);
  const Patch::Rel *data = p.relAt(".ksplice.unit", offsetof(ksplice_unit, data));
  ASSERT_TRUE(data);
  EXPECT_EQ(data->symSection, ".ksplice.data");
  auto e = p.read<ksplice_data>(".ksplice.data", 0);
  EXPECT_EQ(e.size, 24u);
  EXPECT_EQ(e.dst, KSPLICE_CANARY);
  const Patch::Rel *image = p.relAt(".ksplice.data", offsetof(ksplice_data, image));
  ASSERT_TRUE(image);
  EXPECT_EQ(image->symSection, ".ksplice.image.my_ops");
  const Patch::Rel *name = p.relAt(".ksplice.data", offsetof(ksplice_data, name));
  ASSERT_TRUE(name);
  EXPECT_EQ(p.cstr(name->addend), "my_ops");
  // The image: .remove (offset 8) to the carried my_remove; .probe (0) a
  // late relocation to the module's my_probe; .name (16) the string.
  const Patch::Rel *remove = p.relAt(".ksplice.image.my_ops", 8);
  ASSERT_TRUE(remove);
  EXPECT_EQ(remove->symSection, ".text.my_remove");
  EXPECT_FALSE(p.relAt(".ksplice.image.my_ops", 0));
  EXPECT_EQ(p.read<uint64_t>(".ksplice.image.my_ops", 0), KSPLICE_CANARY);
  std::map<std::string, uint64_t> lateAt; // symbol -> where (section sym)
  for (uint32_t k = 0; k < u.nr_relocs; ++k) {
    auto r = p.read<ksplice_reloc>(".ksplice.relocs", k * sizeof(ksplice_reloc));
    const Patch::Rel *where = p.relAt(".ksplice.relocs", k * sizeof(ksplice_reloc));
    const Patch::Rel *sn = p.relAt(".ksplice.syms", r.sym * sizeof(ksplice_symbol));
    ASSERT_TRUE(where && sn);
    EXPECT_EQ(r.type, KSPLICE_R_64);
    EXPECT_EQ(r.flags, 0);
    lateAt[p.cstr(sn->addend) + "@" + where->symSection] = where->addend;
  }
  EXPECT_EQ(lateAt.count("my_probe@.ksplice.image.my_ops"), 1u);
  ASSERT_EQ(lateAt.count("my_ops@.ksplice.data"), 1u);
  EXPECT_EQ(lateAt["my_ops@.ksplice.data"], offsetof(ksplice_data, dst));
  // The object itself is not carried: code refers to the module's.
  for (const auto &s : p.syms)
    EXPECT_NE(s.name, "my_ops") << s.section;
}

TEST(PatchObject, ExtableEntryOnlyForChangedFunction) {
  Written w = writeCase("extable-kept", "");
  const Patch &p = w.p;
  ASSERT_TRUE(p.data.count("__ex_table"));
  EXPECT_EQ(p.data.at("__ex_table").size(), 12u);
  const Patch::Rel *insn = p.relAt("__ex_table", 0);
  ASSERT_TRUE(insn);
  EXPECT_EQ(insn->symSection, ".text.read_two");
  EXPECT_FALSE(p.data.count(".text.read_one"));
  EXPECT_EQ(p.data.at("__mcount_loc").size(), 8u);
}

TEST(PatchObject, Deterministic) {
  Case c = runCase("late-relocs", kSymvers);
  ASSERT_TRUE(c.error.empty());
  PatchOptions opts;
  opts.unitName = "x.o";
  auto a = writePatch(*c.diff, opts);
  auto b = writePatch(*c.diff, opts);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  Case c2 = runCase("late-relocs", kSymvers);
  auto e = writePatch(*c2.diff, opts);
  ASSERT_TRUE(!!e);
  EXPECT_EQ(*a, *e);
}

TEST(PatchObject, RefusedDiffIsNotWritten) {
  Case c = runCase("changed-data");
  ASSERT_TRUE(c.error.empty());
  auto bytes = writePatch(*c.diff, PatchOptions());
  ASSERT_FALSE(!!bytes);
  EXPECT_NE(toString(bytes.takeError()).find("unpatchable"),
            std::string::npos);
}

TEST(PatchObject, ImportsTheNamespacesOfTheExportsItUses) {
  // post's foo calls baz, exported in namespace TESTNS; bar (called only
  // by pre) is in another namespace, which the patch does not need.
  Written w = writeCase("reloc-only",
                        "0x1\tbaz\tvmlinux\tEXPORT_SYMBOL_GPL\tTESTNS\n"
                        "0x2\tbar\tvmlinux\tEXPORT_SYMBOL\tOTHERNS\n"
                        "0x3\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
                        "0x4\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n");
  ASSERT_TRUE(w.p.data.count(".modinfo"));
  ArrayRef<uint8_t> info = w.p.data.at(".modinfo");
  EXPECT_EQ(std::string(info.begin(), info.end()),
            std::string("import_ns=TESTNS\0", 17));
  Written none = writeCase("reloc-only", kSymvers);
  EXPECT_FALSE(none.p.data.count(".modinfo"));
}

TEST(PatchObject, NewExportEntriesAndOnlyTheirStrings) {
  Written w = writeCase("new-export", kSymvers);
  const Patch &p = w.p;
  std::set<std::string> defined;
  for (const auto &s : p.syms)
    if (!s.section.empty())
      defined.insert(s.name);
  // modpost reads the export from __ksymtab_<name> in ___ksymtab+<name>,
  // its namespace from __kstrtabns_<name>; old_api stays vmlinux's.
  for (const char *n : {"__ksymtab_new_api", "__kstrtab_new_api",
                        "__kstrtabns_new_api", "__ksymtab_quiet_api"})
    EXPECT_TRUE(defined.count(n)) << n;
  for (const char *n : {"__ksymtab_old_api", "__kstrtab_old_api",
                        "__kstrtabns_old_api", "__kstrtabns_kept_api"})
    EXPECT_FALSE(defined.count(n)) << n;
  const Patch::Rel *value = p.relAt("___ksymtab+new_api", 0);
  ASSERT_TRUE(value);
  EXPECT_EQ(value->sym, "new_api");
  EXPECT_EQ(value->symSection, ".text.new_api");
  EXPECT_EQ(value->bind, ELF::STB_GLOBAL);
  // quiet_api is the running kernel's: resolved at load (a record).
  EXPECT_FALSE(p.relAt("___ksymtab+quiet_api", 0));
  EXPECT_TRUE(p.data.count(".ksplice.klp_relocs"));
}

TEST(PatchObject, HooksTable) {
  Written w = writeCase("hooks", kSymvers);
  const Patch &p = w.p;
  auto u = p.read<ksplice_unit>(".ksplice.unit", 0);
  ASSERT_EQ(u.nr_hooks, 3u);
  EXPECT_EQ(u.nr_funcs, 0u);
  const Patch::Rel *hooks =
      p.relAt(".ksplice.unit", offsetof(ksplice_unit, hooks));
  ASSERT_TRUE(hooks);
  EXPECT_EQ(hooks->symSection, ".ksplice.hooks");
  std::map<std::string, uint32_t> kinds;
  for (uint32_t k = 0; k < u.nr_hooks; ++k) {
    uint64_t base = k * sizeof(ksplice_hook);
    auto h = p.read<ksplice_hook>(".ksplice.hooks", base);
    const Patch::Rel *fn =
        p.relAt(".ksplice.hooks", base + offsetof(ksplice_hook, fn));
    const Patch::Rel *name =
        p.relAt(".ksplice.hooks", base + offsetof(ksplice_hook, name));
    ASSERT_TRUE(fn && name);
    EXPECT_EQ(fn->symSection, ".text." + fn->sym); // carried new code
    EXPECT_EQ(p.cstr(name->addend), fn->sym);
    kinds[fn->sym] = h.kind;
  }
  EXPECT_EQ(kinds, (std::map<std::string, uint32_t>{
                       {"limit_ok", KSPLICE_HOOK_PRE_APPLY},
                       {"raise_limit", KSPLICE_HOOK_APPLY},
                       {"restore_limit", KSPLICE_HOOK_REVERSE}}));
  // The author's sections are not carried: the table replaces them.
  EXPECT_FALSE(p.data.count(".ksplice_hook_apply"));
  EXPECT_FALSE(p.data.count(".ksplice_init_changed"));
}

TEST(PatchObject, PatchReadsBackAsValidInput) {
  Written w = writeCase("new-function", "");
  std::string buf(w.p.bytes.begin(), w.p.bytes.end());
  auto obj = ObjectFile::parse(buf, "patch.o");
  ASSERT_TRUE(!!obj) << toString(obj.takeError());
  EXPECT_TRUE((*obj)->findSection(".text.added_helper"));
  EXPECT_TRUE((*obj)->findSection(".text.foo"));
}

std::pair<int, std::string> runTool(const std::string &args) {
  std::string cmd = std::string(KSPLICE_DIFF_TOOL) + " " + args + " 2>&1";
  FILE *f = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    out.append(buf, n);
  int status = pclose(f);
  return {WEXITSTATUS(status), out};
}

TEST(Cli, JsonAndExitCodes) {
  auto [rc, out] = runTool("--json " + casePath("reloc-only", "pre") + " " +
                           casePath("reloc-only", "post"));
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out, "{\"verdict\": \"changed\", \"changed_functions\": "
                 "[\"foo\"], \"new_functions\": [], \"removed_functions\": "
                 "[], \"new_data\": [], \"changed_data\": [], \"refusals\": []}\n");
  EXPECT_EQ(runTool(casePath("line-only", "pre") + " " +
                    casePath("line-only", "post"))
                .first,
            3);
  auto [rc2, out2] = runTool("--json " + casePath("changed-data", "pre") +
                             " " + casePath("changed-data", "post"));
  EXPECT_EQ(rc2, 2);
  EXPECT_NE(out2.find("\"verdict\": \"unpatchable\""), std::string::npos);
  EXPECT_NE(out2.find("\"symbol\": \"limit\""), std::string::npos);
  auto [rc3, out3] = runTool("/nonexistent.o " + casePath("line-only", "pre"));
  EXPECT_EQ(rc3, 1);
  EXPECT_NE(out3.find("ksplice-diff: error: /nonexistent.o"),
            std::string::npos)
      << out3;
}

TEST(Cli, ExplainNamesTheRelocation) {
  auto [rc, out] = runTool("--explain " + casePath("reloc-only", "pre") +
                           " " + casePath("reloc-only", "post"));
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("relocation references 'bar'-0x4 in pre but 'baz'-0x4 in "
                     "post"),
            std::string::npos)
      << out;
}

} // namespace
