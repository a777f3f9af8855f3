// The manifest of an update package (ksplice-<id>/manifest): text, one
// "key value" per line, in a fixed order:
//
//   format ksplice-update 1
//   id <id>
//   description <one line>
//   kernel-release <uname -r of the target>
//   kernel-build <sha256 of the headers' Module.symvers>
//   core-module <file>
//   patch-module <file>
//   after <sha256>                  one per --after patch, in --after order
//   unit <target> <object>          one per compilation unit, in order
//   function <object> <name>        replaced functions, sorted
//   new-function <object> <name>    sorted
//   sha256 <hex> <file>             every other file, sorted by name
#ifndef KSPLICE_UPDATE_MANIFEST_H
#define KSPLICE_UPDATE_MANIFEST_H

#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "update_id.h"

namespace ksplice {

inline constexpr int kManifestFormatVersion = 1;

struct ManifestUnit {
  std::string target;  // "vmlinux" or a module name
  std::string object;  // e.g. fs/proc/cmdline.o
  bool operator==(const ManifestUnit &o) const {
    return target == o.target && object == o.object;
  }
};

struct ManifestFunction {
  std::string object;
  std::string name;
  bool operator==(const ManifestFunction &o) const {
    return object == o.object && name == o.name;
  }
  bool operator<(const ManifestFunction &o) const {
    return object != o.object ? object < o.object : name < o.name;
  }
};

struct ManifestFile {
  std::string sha256;  // 64 lower-case hex digits
  std::string name;    // a plain file name inside ksplice-<id>/
  bool operator==(const ManifestFile &o) const {
    return sha256 == o.sha256 && name == o.name;
  }
};

struct Manifest {
  std::string id;
  std::string description;
  std::string kernelRelease;
  std::string kernelBuild;
  std::string coreModule = "ksplice.ko";
  std::string patchModule;
  // The sha256 of each patch this update was built on top of (ksplice-create
  // --after), in the order given: ksplice-apply requires every one of them
  // to be applied.  Empty for most updates; then no "after" line is written
  // and the manifest is as before the key existed.
  std::vector<std::string> after;
  std::vector<ManifestUnit> units;
  std::vector<ManifestFunction> functions;
  std::vector<ManifestFunction> newFunctions;
  std::vector<ManifestFile> files;

  bool operator==(const Manifest &o) const;
  // The sha256 line for `name`, or nullptr.
  const ManifestFile *file(std::string_view name) const;
};

// Checks every field: id syntax, no newlines, hex digests, plain file names,
// sorted and unique function and file lists, core and patch module and
// "patch" listed among the files; "after" digests unique and not the
// update's own patch.
Status validateManifest(const Manifest &m);
// The text of a valid manifest (call validateManifest first).
std::string serializeManifest(const Manifest &m);
// Parses and validates; errors say which line is wrong.
Result<Manifest> parseManifest(std::string_view text);

// A file name without '/', not "." or "..", no whitespace or control bytes.
bool isPlainFileName(std::string_view name);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_MANIFEST_H
