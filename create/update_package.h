//===- update_package.h - Patch objects to an update package --------------===//
//
// The last steps of ksplice-create, shared by its modes: the patch objects
// are linked into the patch module (scripts/build-patch-module.sh against
// the target's headers), the core module is built once per (loader
// sources, headers) and cached, both are stripped of what carries build
// paths, and everything is packed with its manifest (update/package.h).
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_UPDATE_PACKAGE_H
#define KSPLICE_CREATE_UPDATE_PACKAGE_H

#include "build_tree.h"

#include "manifest.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

/// How the package and its modules are signed (all optional).
struct SigningOptions {
  std::string packageKey;  // PEM private key: manifest.sig (signature.h)
  // The kernel's module signature (scripts/sign-file of the headers), for
  // hosts that enforce it: a private key and its X.509 certificate.
  std::string moduleKey, moduleCert;
};

/// Checks SIGNING before anything is built: the keys can be read, the
/// module key comes with its certificate, HEADERS has scripts/sign-file.
llvm::Error checkSigning(const SigningOptions &signing,
                         const std::string &headers);

struct PackageSpec {
  std::string id, description;
  std::string headers;  // the target's build dir (Module.symvers)
  std::string cacheDir; // CACHE/core/ holds the core module
  std::string dataDir;  // loader-kmod/ and scripts/ of this ksplice
  std::string klpConvert; // the ksplice-klp-convert tool
  std::string workDir;  // where the package is assembled (WORK/pkg)
  std::string output;   // the .tar.gz to write
  std::string patchText; // the package's "patch" file
  std::vector<std::string> patchObjects;
  std::vector<std::string> after; // sha256 of the --after patches
  std::vector<ManifestUnit> units;
  std::vector<ManifestFunction> functions, newFunctions;
  SigningOptions signing;
};

/// Builds the modules of SPEC and writes its package.
llvm::Error buildUpdatePackage(const PackageSpec &spec,
                               const Progress &progress);

/// The release the target reports (uname -r): UTS_RELEASE of the headers'
/// include/generated/utsrelease.h, not include/config/kernel.release,
/// which Debian leaves at the upstream version.
llvm::Expected<std::string> targetRelease(const std::string &headers);
/// LINUX_PACKAGE_ID of the headers' include/generated/package.h (Debian:
/// " Debian 6.1.192-3"), or "" if they have none.
std::string targetPackageId(const std::string &headers);

class Sha256;
/// Adds NAME, then the size and bytes of the file PATH, to H.
llvm::Error hashFile(Sha256 &h, const std::string &name,
                     const std::string &path);
/// Adds to H the files of DATADIR that packages are built from (the
/// loader's sources, loader-kmod/, and the scripts that build its modules),
/// each named by its path under DATADIR: part of the key of whatever is
/// built from them (the cached core module, a resumable series' results).
llvm::Error hashPackagingInputs(Sha256 &h, const std::string &dataDir);

} // namespace ksplice

#endif
