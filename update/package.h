// Update packages: ksplice-<id>.tar.gz holding one directory ksplice-<id>/
// with the manifest, the core module, the patch module and the source
// patch.  Written deterministically (ustar, sorted names, mtime 0, owner
// 0/0, then `gzip -n -9`): the same inputs give a byte-identical file.
#ifndef KSPLICE_UPDATE_PACKAGE_H
#define KSPLICE_UPDATE_PACKAGE_H

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "manifest.h"
#include "result.h"

namespace ksplice {

// Writes the package for `fields` to `outPath` (atomically: a temporary
// file renamed into place).  `inputDir` holds the files to package: at least
// fields.coreModule, fields.patchModule and "patch"; every regular file in
// it is packaged (except a stale "manifest", which is replaced).  The
// writer computes fields.files (the sha256 lines) itself, sorts
// fields.functions/newFunctions, and validates everything.  With `sign`,
// the package also holds manifest.sig, what `sign` returns for the
// manifest's text (signature.h); it is the one file the manifest does not
// list, since it covers the manifest.
using ManifestSigner = std::function<Result<std::string>(std::string_view)>;
Status writePackage(const std::string &inputDir, Manifest fields,
                    const std::string &outPath,
                    const ManifestSigner &sign = nullptr);

struct OpenedPackage {
  std::string dir;    // <unpackRoot>/ksplice-<id>
  Manifest manifest;  // parsed, and every sha256 verified
  std::string manifestText;              // as in the package
  std::optional<std::string> signature;  // manifest.sig, if present
};

// Unpacks `path` into `unpackRoot` (an existing, empty directory the caller
// owns) and verifies it: only the directory ksplice-<id>/ and plain files
// directly in it, no links, no path traversal, no duplicates; a manifest of
// a known format whose id names the directory; every other file listed with
// a matching sha256 and every listed file present, except manifest.sig,
// which is returned for checkSignature() (signature.h) and not unpacked.
// maxTarBytes bounds the decompressed archive (a gzip bomb fails instead
// of filling the disk).
// The archive of a package, read and verified in memory (everything
// openPackage() checks, nothing written): `label` names it in errors.
struct PackageContents {
  std::string top;                       // "ksplice-<id>"
  Manifest manifest;                     // parsed, every sha256 verified
  std::string manifestText;
  std::optional<std::string> signature;  // manifest.sig, if present
  std::map<std::string, std::string> files;  // the rest, manifest included
};
Result<PackageContents> readPackageTar(std::string_view tar,
                                       const std::string &label);

Result<OpenedPackage> openPackage(const std::string &path,
                                  const std::string &unpackRoot,
                                  uint64_t maxTarBytes = uint64_t(1) << 30);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_PACKAGE_H
