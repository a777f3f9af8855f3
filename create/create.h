//===- create.h - ksplice-create: from a source patch to an update --------===//
//
// The steps, in order:
//   1. read the patch and decide which objects it affects;
//   2. sync and (once) prepare the build farm (build_tree.h);
//   3. compile those objects before the patch ("pre"), apply it, compile
//      them again ("post"), revert it;
//   4. diff each pre/post pair (differ/) and decide: an update, a refusal,
//      or no functional change;
//   5. write one patch object per changed unit, build the patch module and
//      the core module against the target's headers;
//   6. pack them with a manifest and the patch text into one package.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_CREATE_H
#define KSPLICE_CREATE_CREATE_H

#include "affected_objects.h"
#include "build_tree.h"
#include "update_package.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace ksplice {

struct CreateOptions {
  std::string patchFile;
  // Patches already live on the target (earlier updates of a series): in
  // the tree before "pre", so this update's pre code is what runs.
  std::vector<std::string> afterPatches;
  std::string source;      // KERNEL_SRC
  std::string config;      // the target's .config
  std::string headers;     // the target's build dir (Module.symvers)
  std::string id;          // "" = derived from the patch text
  std::string description; // "" = the patch's first line
  std::string output;      // "" = ksplice-<id>.tar.gz
  std::string cacheDir;    // where the farm and work dirs live
  std::string dataDir;     // loader-kmod/ and scripts/ of this ksplice
  std::string klpConvert;  // the ksplice-klp-convert tool
  SigningOptions signing;
  unsigned jobs = 1;
  // Refuse a change to the layout of a structure or union the objects use
  // (data_layout.h): a series, which no author reviews, sets it.
  bool checkLayouts = false;
  // Objects compiled already: a series compiles a whole release's objects
  // once per side (series_build.h).  WORK holds pre/<object>,
  // post/<object> and post/<object>.symvers for each of OBJECTS; steps 2
  // and 3 are skipped (no farm, no --after patches).
  struct Prebuilt {
    std::string work;
    std::vector<ObjectChoice> objects;
  };
  std::optional<Prebuilt> prebuilt;
  // Pre objects compiled from the pristine tree are kept there and taken
  // from there (pre_cache.h): a series' header groups share them.
  std::string preCache;
};

struct UnitResult {
  std::string object; // "fs/proc/cmdline.o"
  std::string target; // "vmlinux" or a module
  std::string verdict;
  std::vector<std::string> changed, added, removed, newData;
  std::vector<std::string> changedData; // a module's, written as it loads
  // EXPORT_SYMBOL()s the patch adds (the patch module exports them) and
  // removes (they stay exported by the running kernel).
  std::vector<std::string> newExports, removedExports;
  // "<kind> <function>" per hook (<ksplice/hooks.h>), in the loader's
  // order; __init changes ksplice_init_changed() excused (not applied).
  std::vector<std::string> hooks, ignoredInit;
  // Unexported symbols the module loader resolves when the patch module
  // loads (Reference::LoadTime), sorted.
  std::vector<std::string> loadTimeSymbols;
};

struct Refused {
  std::string object, symbol, section, reason;
};

struct CreateResult {
  enum Outcome { Made, Unpatchable, NoChange } outcome = NoChange;
  std::string id, package;
  std::vector<UnitResult> units;
  std::vector<Refused> refusals;
};

/// The farm's options for OPTS, whose target runs RELEASE: CACHEDIR/farm.
TreeOptions treeOptions(const CreateOptions &opts, const std::string &release);

/// Runs the whole pipeline.  An Error is a failure (exit 1); refusals and
/// "no change" are outcomes.
llvm::Expected<CreateResult> createUpdate(CreateOptions opts,
                                          const Progress &progress);

} // namespace ksplice

#endif
