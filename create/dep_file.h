//===- dep_file.h - The headers a compiled object really included ---------===//
//
// After kbuild compiles dir/x.o it leaves dir/.x.o.cmd: the command line
// and, from the compiler's -MMD output rewritten by scripts/basic/fixdep,
//
//   source_dir/x.o := dir/x.c
//   deps_dir/x.o := \
//     include/linux/kconfig.h \
//       $(wildcard include/config/CPU_BIG_ENDIAN) \
//     ...
//
// that is every file the preprocessor opened for this object under this
// configuration (the $(wildcard ...) entries are kbuild's per-symbol
// config stamps, not files the compiler read).  Paths are as the compiler
// saw them: relative to the build tree for an in-tree build.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_DEP_FILE_H
#define KSPLICE_CREATE_DEP_FILE_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace ksplice {

/// The files the object's .cmd text says it was built from (the source and
/// every header), normalised ("fs/proc/../../include/x.h" ->
/// "include/x.h"), sorted; a path under TREE ("/abs/farm/include/x.h") is
/// made relative to it.  nullopt when TEXT has no deps_ list for OBJECT.
std::optional<std::vector<std::string>>
parseDepFile(llvm::StringRef text, llvm::StringRef object,
             llvm::StringRef tree = "");

/// The .cmd file kbuild writes for OBJECT: "fs/proc/base.o" ->
/// "fs/proc/.base.o.cmd".
std::string depFilePath(llvm::StringRef object);

/// parseDepFile() of the .cmd file of OBJECT compiled in TREE; nullopt when
/// it cannot be read.  DIR, when given, holds the .cmd file instead (a copy
/// kept elsewhere) at the same relative path.
std::optional<std::vector<std::string>>
readDepFile(const std::string &tree, const std::string &object);
std::optional<std::vector<std::string>>
readDepFile(const std::string &dir, const std::string &object,
            const std::string &tree);

/// Everything the compiler read for OBJECT: readDepFile() and its source
/// (the .cmd file's source_ line); nullopt when either is missing.
std::optional<std::vector<std::string>>
readInputs(const std::string &dir, const std::string &object,
           const std::string &tree);

} // namespace ksplice

#endif
