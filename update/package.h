// Update packages: ksplice-<id>.tar.gz holding one directory ksplice-<id>/
// with the manifest, the core module, the patch module and the source
// patch.  Written deterministically (ustar, sorted names, mtime 0, owner
// 0/0, then `gzip -n -9`): the same inputs give a byte-identical file.
#ifndef KSPLICE_UPDATE_PACKAGE_H
#define KSPLICE_UPDATE_PACKAGE_H

#include <cstdint>
#include <string>

#include "manifest.h"
#include "result.h"

namespace ksplice {

// Writes the package for `fields` to `outPath` (atomically: a temporary
// file renamed into place).  `inputDir` holds the files to package: at least
// fields.coreModule, fields.patchModule and "patch"; every regular file in
// it is packaged (except a stale "manifest", which is replaced).  The
// writer computes fields.files (the sha256 lines) itself, sorts
// fields.functions/newFunctions, and validates everything.
Status writePackage(const std::string &inputDir, Manifest fields,
                    const std::string &outPath);

struct OpenedPackage {
  std::string dir;    // <unpackRoot>/ksplice-<id>
  Manifest manifest;  // parsed, and every sha256 verified
};

// Unpacks `path` into `unpackRoot` (an existing, empty directory the caller
// owns) and verifies it: only the directory ksplice-<id>/ and plain files
// directly in it, no links, no path traversal, no duplicates; a manifest of
// a known format whose id names the directory; every other file listed with
// a matching sha256 and every listed file present.
// maxTarBytes bounds the decompressed archive (a gzip bomb fails instead
// of filling the disk).
Result<OpenedPackage> openPackage(const std::string &path,
                                  const std::string &unpackRoot,
                                  uint64_t maxTarBytes = uint64_t(1) << 30);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_PACKAGE_H
