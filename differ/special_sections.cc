//===- special_sections.cc - The kernel section table ---------------------===//
//
// Sizes are for x86-64 Linux 6.1 (CONFIG_DEBUG_BUGVERBOSE,
// CONFIG_GENERIC_BUG_RELATIVE_POINTERS, CONFIG_PARAVIRT, CONFIG_JUMP_LABEL,
// CONFIG_HAVE_STATIC_CALL_INLINE, CONFIG_RETPOLINE, CONFIG_RETHUNK,
// CONFIG_UNWINDER_ORC, CONFIG_FTRACE_MCOUNT_RECORD), checked against
// arch/x86/include/asm/*.h of the Debian 6.1 tree.
//
//===----------------------------------------------------------------------===//
#include "special_sections.h"

#include "ksplice/abi.h"
#include "llvm/BinaryFormat/ELF.h"

#include <cstring>

using namespace llvm;

namespace ksplice {

// clang-format off
static const SpecialSection kTable[] = {
  // Columns: name, entsize, siteOffset, siteKind, siteLen, siteLenField,
  // keyOffset, replOffset, replLenField, ignoredOffset, ignoredLen,
  // companion, companionEntsize, rewritten, readWhenComing, why.
  //
  // Every table is read by the kernel when a module loads (sorted,
  // registered, or applied to the module's code), so references from a
  // kept entry to the running kernel must be resolved by then
  // (Reference::LoadTime), not by the core at apply time.
  //
  // struct exception_table_entry { int insn, fixup, data; }: the fault
  // handler looks up the faulting instruction; the module loader sorts the
  // patch's copy (moving entries) while it relocates the module.
  {"__ex_table", 12, 0, KSPLICE_SITE_EXTABLE, 0, -1, -1, -1, -1, -1, 0,
   nullptr, 0, false, false, "exception table: faulting instruction -> fixup"},
  // struct bug_entry { int bug_addr_disp, file_disp; u16 line, flags; }:
  // the ud2 of BUG()/WARN().  `line` is __LINE__: a shifted line alone is no
  // functional change.
  {"__bug_table", 12, 0, KSPLICE_SITE_BUG, 2, -1, -1, -1, -1, 8, 2, nullptr,
   0, false, true, "BUG()/WARN() sites (ud2)"},
  // struct alt_instr { s32 instr_offset, repl_offset; u16 cpuid;
  // u8 instrlen, replacementlen; }: apply_alternatives() rewrites the site
  // at boot and at module load with the replacementlen bytes at
  // repl_offset (in .altinstr_replacement).
  {".altinstructions", 12, 0, KSPLICE_SITE_ALTERNATIVE, 0, 10, -1, 4, 11, -1,
   0, nullptr, 0, true, false, "CPU-feature alternatives"},
  // struct paravirt_patch_site { u8 *instr; u8 type, len; }: paravirt
  // patching of indirect pvops calls.
  {".parainstructions", 16, 0, KSPLICE_SITE_PARAVIRT, 0, 9, -1, -1, -1, -1,
   0, nullptr, 0, true, false, "paravirt call sites"},
  // s32 per LOCK prefix, toggled to DS on uniprocessor.
  {".smp_locks", 4, 0, KSPLICE_SITE_SMP_LOCK, 1, -1, -1, -1, -1, -1, 0,
   nullptr, 0, true, false, "LOCK prefixes"},
  // struct jump_entry { s32 code, target; long key; }: static branches;
  // jump_label's COMING callback sorts the entries and registers each with
  // its `key`.
  {"__jump_table", 16, 0, KSPLICE_SITE_JUMP_LABEL, 0, -1, 8, -1, -1, -1, 0,
   nullptr, 0, true, true, "static keys (jump labels)"},
  // struct static_call_site { s32 addr, key; }: inline static calls;
  // static_call's COMING callback sorts them, follows `key` and rewrites
  // the site.  The site is one instruction: a call or
  // jmp (5 bytes), or a conditional tail call (jcc rel32, 6).
  {".static_call_sites", 8, 0, KSPLICE_SITE_STATIC_CALL, 0, -1, 4, -1, -1,
   -1, 0, nullptr, 0, true, true, "static call sites"},
  // s32 per retpoline thunk call/jmp (objtool), rewritten by
  // apply_retpolines().
  {".retpoline_sites", 4, 0, KSPLICE_SITE_RETPOLINE, 0, -1, -1, -1, -1, -1,
   0, nullptr, 0, true, false, "indirect branch thunk sites"},
  // s32 per `jmp __x86_return_thunk` (objtool), rewritten by
  // apply_returns().
  {".return_sites", 4, 0, KSPLICE_SITE_RETURN, 0, -1, -1, -1, -1, -1, 0,
   nullptr, 0, true, false, "return thunk sites"},
  // s32 per ORC entry (objtool); .orc_unwind holds the parallel 6-byte
  // struct orc_entry.  No code is rewritten (site kind 0).
  {".orc_unwind_ip", 4, 0, 0, 0, -1, -1, -1, -1, -1, 0, ".orc_unwind", 6,
   false, false, "ORC unwinder table"},
  // u64 per `call __fentry__` (-mrecord-mcount); ftrace turns it into a
  // nop5 at boot and back into a call when tracing.
  {"__mcount_loc", 8, 0, KSPLICE_SITE_FTRACE, 5, -1, -1, -1, -1, -1, 0,
   nullptr, 0, true, false, "ftrace call sites"},
};

// Code and data reached only through table entries, never by a symbol of
// their own: compared and carried as part of the entries that use them.
static const struct {
  const char *name;
  bool replacement; // bytes copied over a site (SpecialSection::replOffset),
                    // which the module loader does when the module loads
} kCompanions[] = {
  // The replacement instructions of .altinstructions entries.
  {".altinstr_replacement", true},
  // static_cpu_has() slow paths, jumped to from an alternative's site and
  // back into the function: code that runs, never read at load.
  {".altinstr_aux", false},
};

// The hooks a patch registers (<ksplice/hooks.h>): one section of
// function pointers per kind.
static const struct {
  const char *name;
  uint32_t kind;
} kHooks[] = {
  {".ksplice_hook_pre_apply", KSPLICE_HOOK_PRE_APPLY},
  {".ksplice_hook_apply", KSPLICE_HOOK_APPLY},
  {".ksplice_hook_post_apply", KSPLICE_HOOK_POST_APPLY},
  {".ksplice_hook_fail_apply", KSPLICE_HOOK_FAIL_APPLY},
  {".ksplice_hook_pre_reverse", KSPLICE_HOOK_PRE_REVERSE},
  {".ksplice_hook_reverse", KSPLICE_HOOK_REVERSE},
  {".ksplice_hook_post_reverse", KSPLICE_HOOK_POST_REVERSE},
  {".ksplice_hook_fail_reverse", KSPLICE_HOOK_FAIL_REVERSE},
};
const char kInitChangedSection[] = ".ksplice_init_changed";

// Sections of per-site statics (see isPerSiteDataSection()).
static const char *const kPerSiteData[] = {
  ".data..once", ".data.once", // WARN_ONCE(), pr_*_once() flags
  "__dyndbg", "__verbose",     // dynamic debug descriptors
};
// clang-format on

ArrayRef<SpecialSection> specialSections() { return kTable; }

const SpecialSection *findSpecialSection(StringRef name) {
  for (const SpecialSection &s : kTable)
    if (name == s.name)
      return &s;
  return nullptr;
}

SectionClass classifySection(StringRef name, uint32_t type, uint64_t flags) {
  using namespace llvm::ELF;
  if (type == SHT_NULL || type == SHT_SYMTAB || type == SHT_STRTAB ||
      type == SHT_RELA || type == SHT_REL || type == SHT_GROUP ||
      type == SHT_SYMTAB_SHNDX)
    return SectionClass::Metadata;
  if (findSpecialSection(name))
    return SectionClass::Table;
  if (hookKind(name))
    return SectionClass::Hook;
  if (name == kInitChangedSection)
    return SectionClass::Directive;
  // Reached only through a table entry; compared as part of the entry.
  for (const auto &c : kCompanions)
    if (name == c.name)
      return SectionClass::Companion;
  for (const SpecialSection &s : kTable)
    if (s.companion && name == s.companion)
      return SectionClass::Companion;
  // Init code and data are gone after boot (or run once): not patchable.
  if (name.startswith(".init.text") || name.startswith(".exit.text") ||
      name.startswith(".head.text") || name.startswith(".meminit.text") ||
      name.startswith(".cpuinit.text"))
    return SectionClass::InitText;
  if (name.startswith(".init.") || name.startswith(".exit.") ||
      name.startswith(".initcall") || name == ".con_initcall.init" ||
      name.startswith(".x86_cpu_dev.init") || name == ".apicdrivers" ||
      name.startswith(".meminit.") || name.startswith(".exitcall.exit"))
    return SectionClass::InitData;
  // Not loaded or not behaviour: debug info, notes, the compiler's ident,
  // sections the linker discards, objtool annotations.
  if (name.startswith(".debug") || name.startswith(".note") ||
      name == ".comment" || name.startswith(".discard") ||
      name == ".eh_frame" || name == ".modinfo" || name == ".llvm_addrsig" ||
      name.startswith(".gnu.") || name == "__patchable_function_entries")
    return SectionClass::Ignored;
  // EXPORT_SYMBOL(): one ___ksymtab[_gpl]+NAME section per export (its
  // name and namespace strings in __ksymtab_strings).  An existing export
  // names an existing function, whose old entry stays valid (it jumps to
  // the replacement): only new exports are carried.
  if (!exportedSymbol(name).empty())
    return SectionClass::Export;
  if (name.startswith("__ksymtab") || name.startswith("__kcrctab"))
    return SectionClass::Ignored;
  if (flags & SHF_EXECINSTR)
    return SectionClass::Text;
  if (!(flags & SHF_ALLOC))
    return SectionClass::Ignored;
  if (flags & SHF_WRITE)
    return SectionClass::Data;
  if (name.startswith(".rodata") || name.startswith(".data..ro_after_init") ||
      name == "__tracepoints_strings" || name.startswith("__param") ||
      name.startswith(".rodata.str") || (flags & SHF_STRINGS))
    return SectionClass::ReadOnly;
  return SectionClass::Unknown;
}

// Text sections the kernel itself treats specially, by address range: a
// function's replacement lives in ordinary module text and would lose what
// the section means, so a change to a function in one is refused.
static const struct {
  const char *name;
  const char *why;
} kPinnedText[] = {
  // noinstr: runs where instrumentation is unsafe (RCU not watching, on
  // the entry stack); module text can be kprobed and traced.
  {".noinstr.text", "noinstr code must not be instrumented, and module text "
                    "can be"},
  // The syscall/interrupt entry code, mapped in the user page tables (PTI).
  {".entry.text", "entry code must stay mapped in the user page tables"},
  {".cpuidle.text", "idle code runs with RCU not watching (noinstr)"},
  // __kprobes / NOKPROBE: on the kprobe blacklist by address range.
  {".kprobes.text", "the kprobe blacklist covers this section, not module "
                    "text"},
  // __sched: skipped by get_wchan() and stack traces (in_sched_functions).
  {".sched.text", "scheduler functions are recognised by their address "
                  "range"},
  // __lockfunc: in_lock_functions() by address range (profiling, wchan).
  {".spinlock.text", "lock functions are recognised by their address range"},
  // __irq_entry / __softirq_entry: the function graph tracer and stack
  // traces cut the trace at these ranges.
  {".irqentry.text", "interrupt entry code is recognised by its address "
                     "range"},
  {".softirqentry.text", "softirq entry code is recognised by its address "
                         "range"},
};

uint32_t hookKind(StringRef section) {
  for (const auto &h : kHooks)
    if (section == h.name)
      return h.kind;
  return 0;
}

StringRef hookKindName(uint32_t kind) {
  for (const auto &h : kHooks)
    if (h.kind == kind)
      return StringRef(h.name).drop_front(strlen(".ksplice_hook_"));
  return "";
}

StringRef exportedSymbol(StringRef section) {
  // Linux 5.x and later: "___ksymtab" sec "+" sym, sec = "" or "_gpl".
  if (!section.consume_front("___ksymtab"))
    return "";
  section.consume_front("_gpl");
  if (!section.consume_front("+"))
    return "";
  return section;
}

bool isReplacementSection(StringRef section) {
  for (const auto &c : kCompanions)
    if (c.replacement && section == c.name)
      return true;
  return false;
}

bool isReadAtLoad(StringRef section, SectionClass cls) {
  if (cls == SectionClass::Table || cls == SectionClass::Export)
    return true;
  if (cls != SectionClass::Companion)
    return false;
  for (const auto &c : kCompanions)
    if (section == c.name)
      return c.replacement;
  return true; // a table's parallel section (.orc_unwind)
}

bool isPerSiteDataSection(StringRef section) {
  for (const char *n : kPerSiteData)
    if (section == n)
      return true;
  return false;
}

// __exit code and data, and module_exit()'s pointer: what they are depends
// on where the unit is linked.  vmlinux never runs them: the x86 linker
// script puts .exit.text and .exit.data in the init area, freed after boot
// without being run (kept until then only because alternatives may point
// into them), and discards .exitcall.exit (EXIT_CALL in DISCARDS):
// built-in code is never unloaded.  A module runs its __exit code at
// rmmod, from its core (CONFIG_MODULE_UNLOAD lays .exit.* out there):
// ordinary text and data, and a replaced function is carried as
// `.text.<function>`, since the patch module's own .exit.text is its
// stub's.  (A module has no .exitcall.exit: module_exit() makes
// `cleanup_module` an alias of the function.)
//
// __init code too: vmlinux ran it at boot and freed it, but a module runs
// its init code each time it loads, from its init area, which the module
// loader frees once the module is live.  So a module's .init.text is text
// that exists only from the module's COMING to its LIVE: a replaced
// function in it is patched into each later load before its init runs,
// and refused by the loader for a module already live (its init ran with
// the old code); it is matched only when replaced.  Carried as
// `.text.<function>`: the patch module's own init area is freed too.
// A module's __init data likewise: it is in the module's init area from
// COMING to LIVE, which is when the loader writes a changed object's new
// value (the module's parameters are parsed after COMING, its init runs
// after that); a new object is carried as `.data.<object>` in the patch
// module's core, since the patch module's own init area is freed.
//
// Both text sections hold every __init (__exit) function of the unit (the
// section attribute wins over -ffunction-sections), so the differ splits
// them into one section per function, `.init.text.<function>`, as
// -ffunction-sections would have made them (split_section.h): a changed
// one is then replaced alone.  Likewise a module's __exit and
// `__read_mostly` data against -fdata-sections: one section per object,
// so that one object's new initial value is written alone as the module
// loads (vmlinux's changed data is refused whole anyway, and its
// references keep the form the run-pre matcher has always seen).
enum class Split {
  Never,
  Always,   // by function
  InModule, // by object, in a module unit only
};
struct UnitSection {
  const char *name;
  SectionClass builtIn, inModule;
  const char *carriedAs; // prefix of the carried section's name, or null
  bool initOnly;         // in a module: gone once the module is live
  Split split;           // made one section per thing when read
};
static const UnitSection kUnitSections[] = {
    {".exit.text", SectionClass::Ignored, SectionClass::Text, ".text.", false,
     Split::Always},
    {".exit.data", SectionClass::Ignored, SectionClass::Data, nullptr, false,
     Split::InModule},
    {".exitcall.exit", SectionClass::Ignored, SectionClass::InitData, nullptr,
     false, Split::Never},
    {".init.text", SectionClass::InitText, SectionClass::Text, ".text.", true,
     Split::Always},
    {".init.data", SectionClass::InitData, SectionClass::Data, ".data.", true,
     Split::InModule},
    {".data..read_mostly", SectionClass::Data, SectionClass::Data, nullptr,
     false, Split::InModule},
};

static const UnitSection *findUnitSection(StringRef section) {
  for (const UnitSection &e : kUnitSections)
    if (section == e.name || section.startswith(std::string(e.name) + "."))
      return &e;
  return nullptr;
}

SectionClass classifyInUnit(StringRef name, uint32_t type, uint64_t flags,
                            bool builtIn) {
  if (const UnitSection *e = findUnitSection(name))
    return builtIn ? e->builtIn : e->inModule;
  return classifySection(name, type, flags);
}

std::string carriedSectionName(StringRef section, StringRef owner) {
  const UnitSection *e = findUnitSection(section);
  if (!e || !e->carriedAs || owner.empty())
    return section.str();
  return e->carriedAs + owner.str();
}

bool isModuleInitOnly(StringRef section, bool builtIn) {
  const UnitSection *e = findUnitSection(section);
  return !builtIn && e && e->initOnly;
}

bool isSplitWhenRead(StringRef section, bool builtIn) {
  const UnitSection *e = findUnitSection(section);
  if (!e || section != e->name)
    return false;
  return e->split == Split::Always || (e->split == Split::InModule && !builtIn);
}

const char *pinnedTextReason(StringRef section) {
  for (const auto &p : kPinnedText)
    if (section == p.name || section.startswith(std::string(p.name) + "."))
      return p.why;
  return nullptr;
}

bool isModuleEntryPoint(StringRef name) {
  return name == "init_module" || name == "cleanup_module";
}

bool isLineMacroCallee(StringRef name) {
  static const char *const kNames[] = {
      "__warn_printk",    "warn_slowpath_fmt", "__might_sleep",
      "__might_resched",  "__might_fault",     "___might_sleep",
      "printk",           "_printk",           "lockdep_rcu_suspicious",
      "__btrfs_abort_transaction", "btrfs_panic", "__ubsan_handle_out_of_bounds",
  };
  for (const char *n : kNames)
    if (name == n)
      return true;
  return false;
}

bool isSpecialStatic(StringRef name) {
  // Strip a trailing ".N" the compiler adds to function-scope statics.
  StringRef base = name.split('.').first;
  return base == "__key" || base == "__warned" || base == "__already_done" ||
         base == "_rs" || base == "CSWTCH" || base == "__print_once" ||
         base == "__func__" || base == "__FUNCTION__" ||
         base == "descriptor" || base == "__UNIQUE_ID_ddebug" ||
         name.startswith("__UNIQUE_ID_ddebug") || base == "_entry" ||
         base == "_entry_ptr" || base == "__tpstrtab";
}

StringRef withoutCounter(StringRef name) {
  // __UNIQUE_ID(prefix) is __UNIQUE_ID_<prefix><__COUNTER__>: the number
  // moves whenever a patch uses __COUNTER__ earlier in the file.
  if (!name.startswith("__UNIQUE_ID_"))
    return name;
  return name.rtrim("0123456789");
}

bool isFentry(StringRef name) {
  return name == "__fentry__" || name == "mcount" || name == "__mcount";
}

} // namespace ksplice
