//===- patch_file.h - What a source patch touches -------------------------===//
//
// ksplice-create needs to know which files a unified diff changes before it
// applies it: a .c file means its own object is rebuilt; a header means
// every object that includes it.  Paths are taken as `patch -p1` would
// (`a/fs/proc/cmdline.c` -> `fs/proc/cmdline.c`).
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_PATCH_FILE_H
#define KSPLICE_CREATE_PATCH_FILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

struct TouchedFile {
  enum Kind { Modified, Added, Deleted };
  std::string path; // relative to the tree, after -p1
  Kind kind = Modified;
};

/// The files PATCH changes, sorted by path.  An Error for text that has no
/// file headers, or paths that leave the tree.
llvm::Expected<std::vector<TouchedFile>> parsePatch(llvm::StringRef patch);

} // namespace ksplice

#endif
