//===- livepatch_relocs.h - References the module loader must resolve -----===//
//
// Most references from a patch to unexported symbols of the running kernel
// are late relocations: the core writes them at apply time, with addresses
// that run-pre matching proved.  That is too late for the places the kernel
// reads while the patch module loads: table entries (the key of a
// __jump_table or .static_call_sites entry, __ex_table, ...) and the
// replacement code of alternatives, which apply_alternatives() copies over
// the site.  Those must be resolved by the module loader itself, as kbuild
// gets for an ordinary module through exports.
//
// Linux (5.8 and later, CONFIG_LIVEPATCH) has the mechanism: a relocation
// section flagged SHF_RELA_LIVEPATCH, named `.klp.rela.vmlinux.<section>`,
// whose symbols are SHN_LIVEPATCH and named `.klp.sym.vmlinux.<name>,<pos>`,
// is applied by load_module() from kallsyms (klp_apply_section_relocs(),
// kernel/livepatch/core.c) before any table of the module is read; position
// 0 means "the only symbol of that name in vmlinux", and any other count
// fails the load.
//
// kbuild's `ld -r` and objcopy rewrite such sections into ordinary ones, so
// the differ cannot emit them directly.  Instead each one is a KlpRecord in
// the patch object's non-allocated section .ksplice.klp_relocs (symbol
// names in .ksplice.klp_names), and convertLivepatchRelocs() turns the
// records of the linked, stripped module into the kernel's form.  Until
// then the fields hold zero and the module must not be loaded.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_LIVEPATCH_RELOCS_H
#define KSPLICE_DIFFER_LIVEPATCH_RELOCS_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ksplice {

inline constexpr const char kKlpRelocsSection[] = ".ksplice.klp_relocs";
inline constexpr const char kKlpNamesSection[] = ".ksplice.klp_names";

/// One load-time relocation.  `where` and `name` are 64-bit fields with an
/// R_X86_64_64 relocation each: to the field to relocate, and to its
/// symbol's NUL-terminated name in .ksplice.klp_names.
struct KlpRecord {
  uint64_t where;
  uint64_t name;
  int64_t addend;
  uint32_t type; // R_X86_64_*
  uint32_t pad;
};
static_assert(sizeof(KlpRecord) == 32, "KlpRecord layout");

/// Rewrites the kernel module at PATH in place: every KlpRecord becomes a
/// relocation in a `.klp.rela.vmlinux.<section>` section against a
/// `.klp.sym.vmlinux.<name>,0` symbol.  Returns the symbol names, sorted and
/// unique (empty, and the file untouched, when there are no records).  The
/// last step of building a patch module: kbuild's link and objcopy would
/// undo it.
llvm::Expected<std::vector<std::string>>
convertLivepatchRelocs(const std::string &path);

} // namespace ksplice

#endif
