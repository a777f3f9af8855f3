//===- pre_post.h - The objects a patch changes, compiled before and after -===//
//
// Step 3 of ksplice-create (create.h): in the build farm, apply the
// --after patches (they are live on the target, so they belong to "pre"),
// decide which objects the patch can change, compile them ("pre"; or take
// them from a cache of pre objects, pre_cache.h), apply the patch, compile
// them again ("post"), and revert everything, whatever happened, so that
// the farm is the source tree again for the next run.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_PRE_POST_H
#define KSPLICE_CREATE_PRE_POST_H

#include "affected_objects.h"
#include "build_tree.h"
#include "patch_file.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

struct PrePostInputs {
  std::string patchFile;                 // its path, for the progress
  std::string patch;                     // the patch text
  std::vector<TouchedFile> files;        // what it touches
  PatchFiles kinds;                      // its files, classified
  struct AfterPatch {
    std::string path, text;
  };
  std::vector<AfterPatch> afterPatches;  // applied first, in order
  std::string work;                      // WORK/pre, WORK/post
  std::string cacheDir;                  // the include graph's cache
  std::string source;                    // KERNEL_SRC (the graph's key)
  unsigned jobs = 1;
  // Where pre objects are kept and taken (pre_cache.h); "" for none.
  std::string preCache;
};

struct PrePost {
  // The objects compiled on both sides (a guessed object that was not
  // built after all is dropped), with the files refused on the way.
  ObjectPlan plan;
  // The sha256 of each --after patch, in order: the manifest's "after"
  // lines, which ksplice-apply requires to be applied.
  std::vector<std::string> afterDigests;
};

/// Builds WORK/pre/<object> and WORK/post/<object> for every object in the
/// returned plan, and WORK/post/<object>.symvers (the symbol versions of
/// its exports).  TREE is synced; it is reverted before this returns.
llvm::Expected<PrePost> buildPrePost(BuildTree &tree, const PrePostInputs &in,
                                     const Progress &progress);

/// kbuild appends the symbol versions genksyms computed for an object's
/// exports to its .cmd file ("#SYMVER name crc"); keeps those of OBJECTS,
/// just compiled in TREE, as OUTDIR/<object>.symvers, for the exports a
/// patch adds.
llvm::Error saveSymbolVersions(const BuildTree &tree,
                               const std::vector<std::string> &objects,
                               const std::string &outDir);

} // namespace ksplice

#endif
