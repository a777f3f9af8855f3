//===- special_sections.h - What the differ knows about kernel sections ---===//
//
// The one place that knows kernel section names.  Every input section is
// classified by `classifySection`; table sections (one fixed-size entry per
// code site) are described by a `SpecialSection` row.  Entry sizes are those
// of the target kernel (x86-64, Linux 6.1 with the Debian configuration).
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_SPECIAL_SECTIONS_H
#define KSPLICE_DIFFER_SPECIAL_SECTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace ksplice {

enum class SectionClass {
  Text,      // function code: compared, replaced
  InitText,  // __init/__exit code: a change is refused
  Data,      // writable data: a change to existing data is refused
  InitData,  // __initdata: a change is refused
  ReadOnly,  // read-only data: a change seen by unchanged code is refused
  Table,     // a SpecialSection: kept per entry for included code
  Companion, // code/data reached only through a Table (.altinstr_replacement)
  Export,    // one EXPORT_SYMBOL() entry (___ksymtab+NAME): carried for a
             // new export, read by the module loader
  Hook,      // pointers to the patch's hook functions (<ksplice/hooks.h>)
  Directive, // what the patch author tells the differ (<ksplice/hooks.h>)
  Ignored,   // not part of the running kernel's behaviour (debug info, ...)
  Metadata,  // ELF bookkeeping (.symtab, .rela*, ...)
  Unknown,   // anything else: an error if it refers to changed code
};

/// One table section: fixed-size entries, each naming a code site through a
/// relocation at `siteOffset`.
struct SpecialSection {
  const char *name;
  uint32_t entsize;
  uint32_t siteOffset;   // relocation naming the code site
  uint16_t siteKind;     // enum ksplice_site_kind (abi.h)
  uint16_t siteLen;      // bytes at the site the kernel may rewrite; 0 = insn
  int32_t siteLenField;  // byte in the entry holding the site length, or -1
  int32_t keyOffset;     // relocation the module loader follows (static key
                         // or static call key), or -1
  int32_t replOffset;    // relocation naming the replacement code the
                         // kernel copies over the site, or -1
  int32_t replLenField;  // byte in the entry holding its length, or -1
  int32_t ignoredOffset; // bytes that may differ without a code change
  uint32_t ignoredLen;   //   (the __LINE__ of WARN/BUG), or -1/0
  const char *companion; // a parallel section with the same entry count
  uint32_t companionEntsize;
  bool rewritten;        // the kernel rewrites the site when the module
                         // loads (patching alternatives, nops, calls)
  bool readWhenComing;   // the kernel reads the entries (their keys, the
                         // site's call) only in a MODULE_STATE_COMING
                         // callback or later, never moves them before:
                         // a callback first in the chain can still fill
                         // in a field (docs/loader.md, "Module symbols at
                         // load")
  const char *why;
};

/// The table section called NAME, or null.
const SpecialSection *findSpecialSection(llvm::StringRef name);
/// All rows, in a fixed order.
llvm::ArrayRef<SpecialSection> specialSections();

/// Classifies an ELF section by name, type and flags.
SectionClass classifySection(llvm::StringRef name, uint32_t type,
                             uint64_t flags);

/// The symbol an export-table section (SectionClass::Export) exports, or
/// "".
llvm::StringRef exportedSymbol(llvm::StringRef section);

/// The hook kind (enum ksplice_hook_kind) whose functions SECTION lists
/// (".ksplice_hook_<kind>" from <ksplice/hooks.h>), or 0.
uint32_t hookKind(llvm::StringRef section);
/// The name of hook kind KIND as its macro has it ("pre_apply"), or "".
llvm::StringRef hookKindName(uint32_t kind);
/// The section of ksplice_init_changed(sym) directives: NUL-terminated
/// names of __init functions and data whose change needs nothing at run
/// time.
extern const char kInitChangedSection[];

/// Whether SECTION holds replacement code that table entries (replOffset)
/// copy over their sites: only the bytes a kept entry names can ever run.
bool isReplacementSection(llvm::StringRef section);

/// Whether the kernel reads SECTION (of class CLS) while it loads the
/// module that holds it: table entries (sorted, registered, applied to the
/// module's code), the replacement code they copy, export entries; not
/// code that merely runs, such as static_cpu_has() slow paths.
bool isReadAtLoad(llvm::StringRef section, SectionClass cls);

/// Whether SECTION holds only per-site statics that macros create (the
/// once-flags of WARN_ONCE() in .data..once, dynamic debug descriptors):
/// the patch gets fresh copies of them, never the running kernel's.
bool isPerSiteDataSection(llvm::StringRef section);

/// classifySection() for a unit linked into vmlinux (BUILTIN) or into a
/// module: __exit code and data and module_exit()'s pointer are never run
/// by vmlinux (Ignored: a change there is no change to the running
/// kernel), but a module runs its __exit code at rmmod (Text and Data);
/// vmlinux's __init code ran at boot (InitText), a module's runs at each
/// load (Text, isModuleInitOnly()).
SectionClass classifyInUnit(llvm::StringRef name, uint32_t type,
                            uint64_t flags, bool builtIn);

/// Whether SECTION of a module unit (not BUILTIN) exists only while the
/// module loads: its .init.text, freed when the module is live.  A
/// function in it is matched and patched only in a module still COMING.
bool isModuleInitOnly(llvm::StringRef section, bool builtIn);

/// Whether SECTION holds functions or objects a section attribute put
/// together (.init.text, .exit.text; a module's .exit.data and
/// .data..read_mostly), which the differ splits into one section per
/// function or object when it reads an object of a unit linked into
/// vmlinux (BUILTIN) or a module (split_section.h).
bool isSplitWhenRead(llvm::StringRef section, bool builtIn);

/// The name under which the patch carries a post section SECTION of a
/// module unit whose function is OWNER: `.text.OWNER` for __exit and
/// __init code (the patch module's .exit.text is its own, and its init
/// area is freed after it loads), else SECTION.
std::string carriedSectionName(llvm::StringRef section, llvm::StringRef owner);

/// Why the kernel treats the text section SECTION specially by its address
/// range (.noinstr.text, .entry.text, .sched.text, ...), so that a function
/// in it cannot be replaced by a copy in module text; nullptr for ordinary
/// text.
const char *pinnedTextReason(llvm::StringRef section);

/// Whether NAME is a module's entry point, which module_init() and
/// module_exit() make aliases of the functions they name: `init_module`,
/// `cleanup_module`.  The module loader reads them once, when it loads the
/// module.
bool isModuleEntryPoint(llvm::StringRef name);

/// Functions whose __LINE__ argument may change without a functional change
/// (WARN(), might_sleep(), printk of __LINE__ ...).
bool isLineMacroCallee(llvm::StringRef name);

/// Statics the compiler or kernel macros create per call site, which must
/// never be paired with the running kernel's copy: the patch gets fresh ones
/// (lock class keys, once-flags, ratelimit state, switch tables, dynamic
/// debug descriptors).
bool isSpecialStatic(llvm::StringRef name);

/// NAME without the __COUNTER__ number a macro appended to it
/// (__UNIQUE_ID_<prefix><N>, from __UNIQUE_ID()); other names as they are.
llvm::StringRef withoutCounter(llvm::StringRef name);

/// Calls that make a function untraceable by ftrace; relocations here are
/// the ftrace site the kernel rewrites.
bool isFentry(llvm::StringRef name);

} // namespace ksplice

#endif
