//===- self_match.h - Updates that replace nothing, for checking matching -===//
//
// `ksplice-create --self-match`: for any set of objects of the configured
// build, updates that replace no function but carry the pre code of every
// function and the read-only data of their units, as a real update of that
// unit would.  The loader's `check` stage (ksplice-apply --dry-run) run on
// them in the kernel the objects were built for matches the whole unit
// against live memory, so every mismatch it reports is a bug of the
// matcher (a site the kernel rewrites that it does not understand) or of
// the differ's site tables.
//
// The objects are compiled in the farm as for an update, twice by default:
// the differ must find no change between the two compiles (the self-diff),
// and the patch object of that "no change" diff is the unit of the update
// (all pre sections, no function).  Units are grouped into packages of
// one target each (vmlinux or one module), at most a given size each.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_SELF_MATCH_H
#define KSPLICE_CREATE_SELF_MATCH_H

#include "build_tree.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ksplice {

struct SelfMatchOptions {
  std::vector<std::string> objects; // "fs/proc/base.o", ...
  std::vector<std::string> targets; // every object linked into these
  std::string source, config, headers, cacheDir, dataDir;
  std::string klpConvert;     // the ksplice-klp-convert tool
  std::string outDir = ".";   // packages and the unit list go here
  std::string id = "selfmatch"; // packages are <id>-NNN
  unsigned jobs = 1;
  bool compileTwice = true;   // diff against a second compile
  bool packages = true;       // false: the self-diff only
  bool listOnly = false;      // only choose the objects (units: object,
                              // target), compile nothing
  uint64_t packageBytes = 16u << 20; // patch objects per package, at most
  unsigned packageUnits = 0;  // units per package, at most (0: any)
};

struct SelfMatchUnit {
  std::string object, target;
  std::string verdict;  // the self-diff's: "no-change" is the only good one
  std::string why;      // else what differs, or the refusals
  unsigned functions = 0, preSections = 0;
  uint64_t patchBytes = 0;
  std::string package;  // its id, "" if none
};

struct SelfMatchPackage {
  std::string id, file, target;
  unsigned units = 0, functions = 0;
  uint64_t patchBytes = 0;
};

struct SelfMatchResult {
  std::vector<SelfMatchUnit> units;
  std::vector<SelfMatchPackage> packages;
  std::vector<std::string> notBuilt; // guesses that did not compile
  std::string unitList;              // OUTDIR/<id>.units
  double compileSeconds = 0, diffSeconds = 0, packageSeconds = 0;
  /// Units whose self-diff is not "no change".
  unsigned differing() const;
};

/// Compiles, diffs and packages; an Error is a failure to do so.  Units
/// whose self-diff finds a change are in the result, without a package.
llvm::Expected<SelfMatchResult> selfMatch(SelfMatchOptions opts,
                                          const Progress &progress);

} // namespace ksplice

#endif
