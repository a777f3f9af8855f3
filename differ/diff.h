//===- diff.h - Decide what a patch must replace, add or refuse -----------===//
//
// The differ's entry point: PRE and POST (one compilation unit, built with
// -ffunction-sections -fdata-sections before and after a source patch) in,
// a verdict out.  `Diff` also keeps everything the patch writer needs.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_DIFF_H
#define KSPLICE_DIFFER_DIFF_H

#include "compare.h"
#include "correlate.h"
#include "object_file.h"
#include "symvers.h"
#include "table_entries.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ksplice {

enum class Verdict { Changed, NoChange, Unpatchable };
const char *toString(Verdict v);

/// A change that cannot be hot patched.
struct Refusal {
  std::string symbol;
  std::string section; // "pre/x.o:(.text.f+0x1c)" style location
  std::string reason;
  bool operator<(const Refusal &o) const {
    return std::tie(symbol, section, reason) <
           std::tie(o.symbol, o.section, o.reason);
  }
};

/// How a reference from patch code is resolved.
struct Reference {
  enum Kind {
    Internal, // to a symbol carried in the patch (post symbol `sym`)
    Exported, // to a symbol `name` vmlinux exports (or a module's export
              // in a table read at load): ordinary ELF relocation
    Late,     // to another kernel symbol `name` (unexported, or exported
              // by a module): struct ksplice_reloc, written by the core at
              // apply time
    LoadTime, // the same, from a place the kernel reads when the patch
              // module loads (table entries, alternative replacements):
              // resolved by the module loader from kallsyms (a livepatch
              // relocation, livepatch_relocs.h)
    AtComing, // the same, to a symbol of the unit's module, from a table
              // the kernel reads only in MODULE_STATE_COMING callbacks: a
              // late relocation flagged KSPLICE_RELOC_AT_LOAD, which the
              // core's own callback, first in the chain, writes
    Invalid,  // cannot be expressed (a refusal says why)
  };
  Kind kind = Invalid;
  const Symbol *sym = nullptr; // Internal: the post symbol or section symbol
  std::string name;            // Exported/Late/LoadTime/AtComing: kallsyms
                               // name
  bool local = false;          // Late/LoadTime/AtComing: a static of this
                               // unit
  uint8_t type = 0;            // Late/AtComing: STT_* of the target
  int64_t addend = 0;          // relative to `sym`/`name`
};

struct Diff {
  const ObjectFile *pre = nullptr, *post = nullptr;
  Exports exports;
  std::string target = "vmlinux"; // where the unit runs: vmlinux or a module
  Correlation corr;
  TableIndex preTables, postTables;

  Verdict verdict = Verdict::NoChange;
  // Names: changed and removed as in PRE, new as in POST.  Sorted.
  std::vector<std::string> changedFunctions, newFunctions, removedFunctions,
      newData;
  // Hooks the patch registers (<ksplice/hooks.h>), in the order of their
  // kinds' sections and, within one, of registration: post FUNC symbols.
  struct Hook {
    uint32_t kind; // enum ksplice_hook_kind
    uint32_t sym;
  };
  std::vector<Hook> hooks;
  // ksplice_init_changed() names, and the __init changes they excused.
  std::set<std::string> initChanged;
  std::vector<std::string> ignoredInit; // sorted
  // EXPORT_SYMBOL()s the patch adds (carried: the patch module exports
  // them) and removes (the running kernel keeps exporting them).  Sorted.
  std::vector<std::string> newExports, removedExports;
  // Objects of a module whose initial value changed, same size: the patch
  // carries the new value, which the core writes over the object as the
  // module loads (struct ksplice_data).  Pre object symbol, post section
  // holding the value; sorted by name.
  struct DataImage {
    uint32_t preSym;
    uint32_t postSec;
  };
  std::vector<DataImage> dataImages;
  std::vector<std::string> changedData; // their names, the same order
  std::vector<Refusal> refusals; // sorted
  // Unexported symbols the module loader must resolve when the patch
  // module loads (Reference::LoadTime).  Sorted, unique.
  std::vector<std::string> loadTimeSymbols;
  std::map<std::string, std::string> why; // function -> first difference

  // For the patch writer.
  std::vector<uint32_t> replaced;     // pre FUNC symbols that get a jump
  std::set<uint32_t> changedObjects;  // pre read-only objects that changed
  std::set<uint32_t> includedPost;    // post sections carried in the patch
  std::vector<TableEntry> keptEntries; // post table entries, table order
  std::vector<uint32_t> preSections;  // pre sections for run-pre matching
  std::vector<uint32_t> exportSections; // post ___ksymtab of newExports
  // [begin, end) of .altinstr_replacement used by kept alternatives: the
  // section is carried whole, but only these bytes can ever run.
  std::vector<std::pair<uint64_t, uint64_t>> liveReplacement;

  /// What section S is in this unit (classifyInUnit(): __exit code is
  /// text in a module, and nothing vmlinux runs).
  SectionClass classOf(const Section &s) const;
  /// Whether S is a module's init text (isModuleInitOnly()): matched only
  /// when a function in it is replaced, and gone once the module is live.
  bool isInitOnly(const Section &s) const;

  /// Whether relocation R of carried post section SEC matters (false for
  /// replacement bytes of alternatives the patch does not keep).
  bool isLive(const Section &sec, const Reloc &r) const;

  /// Resolves relocation R of carried post section (or table) FROM.
  Reference reference(const Section &from, const Reloc &r) const;
  /// The same, without telling load-time references from late ones.
  Reference resolveReference(const Section &from, const Reloc &r) const;
  /// jump_offset (abi.h) of pre function SYM: past an ftrace site, or 0.
  uint32_t jumpOffset(const Symbol &preFunc) const;
};

/// Compares PRE and POST.  An Error means bad input (exit 1); refusals are
/// part of the result (exit 2).
/// TARGET is where the unit runs: "vmlinux" or a module name.
llvm::Expected<std::unique_ptr<Diff>>
diffObjects(const ObjectFile &pre, const ObjectFile &post, Exports exports,
            std::string target = "vmlinux");

} // namespace ksplice

#endif
