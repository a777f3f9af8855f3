//===- patch_writer.h - Write the patch object (loader-kmod/.../abi.h) ----===//
#ifndef KSPLICE_DIFFER_PATCH_WRITER_H
#define KSPLICE_DIFFER_PATCH_WRITER_H

#include "diff.h"

#include <string>
#include <vector>

namespace ksplice {

struct PatchOptions {
  std::string unitName;   // ksplice_unit.name, e.g. "fs/proc/cmdline.o"
  std::string unitSymbol; // the one global; "" = defaultUnitSymbol(unitName)
  std::string target = "vmlinux";
};

/// "fs/proc/cmdline.o" -> "ksplice_unit_fs_proc_cmdline".
std::string defaultUnitSymbol(llvm::StringRef unitName);

/// The relocatable ELF patch object for D (which must not be unpatchable).
/// Deterministic: the same inputs give the same bytes.
llvm::Expected<std::vector<uint8_t>> writePatch(const Diff &d,
                                                const PatchOptions &opts);

} // namespace ksplice

#endif
