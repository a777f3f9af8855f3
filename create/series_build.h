//===- series_build.h - A release's .c files compiled once per side -------===//
//
// What keeps `ksplice-create --series` from costing a farm run per changed
// file: the changed .c files that are each one object of the configured
// build (nearly all of them) are compiled together, every pre object in
// one make and every post object in another, with all their changes
// applied at once.  An object reads its own .c file and headers, which
// stay as they were, so the other files' changes cannot reach it; its
// .cmd file after the post compile proves it (an object that read another
// changed file is not batched).
//
// The pre objects are kept, in CACHE/series-pre (pre_cache.h), under the
// farm's configuration key (BuildTree::configurationKey): a later series
// for the same running kernel compiles only the objects no earlier one
// compiled, and the series' header groups take them too.
// The post objects are kept too, in CACHE/series-post, only for a run
// that may be resumed (`--resume`), under the series' inputs digest
// (series_resume.h): a run stopped before its files were built compiles
// only the post objects it had not finished.  Both sides are compiled a
// chunk at a time, and each finished chunk is kept.
//
// A file the batch cannot decide alone goes back to the one-file path
// (createUpdate() on its own patch, series.h): a .c file that is not an
// object of its own (it is #included), an object whose Makefile was not
// read exactly, one that fails to compile on either side (its new version
// needs a header change, or another file's), and every file when the
// post compile changed the layout headers.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_SERIES_BUILD_H
#define KSPLICE_CREATE_SERIES_BUILD_H

#include "affected_objects.h"
#include "build_tree.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

struct BatchFile {
  std::string path;   // the changed .c file, relative to the trees
  std::string patch;  // its diff alone (-p1)
  std::string change; // changeDigest(patch): what its records are kept under
  std::string work;   // where its objects go: WORK/pre, WORK/post
  // Out: Ready, its objects are in WORK; NotConfigured, no object of this
  // configuration compiles it; OneFile, build it alone (why says why).
  enum State { OneFile, NotConfigured, Ready } state = OneFile;
  std::vector<ObjectChoice> objects;
  std::string why;
};

struct BatchStats {
  size_t objects = 0;        // compiled on the post side
  size_t preCached = 0;      // pre objects taken from the cache
  size_t postKept = 0;       // post objects kept from an earlier run
  double preSeconds = 0, postSeconds = 0;
};

/// Compiles FILES' objects in TREE (synced, locked by the caller) before
/// and after their changes, and reverts the tree.  CACHEDIR holds
/// series-pre and the include graph's cache; SOURCE is the graph's key;
/// POSTKEY, when not empty, keeps the post objects under it.
llvm::Expected<BatchStats> compileBatch(BuildTree &tree,
                                        std::vector<BatchFile> &files,
                                        const std::string &cacheDir,
                                        const std::string &source,
                                        const std::string &postKey,
                                        unsigned jobs,
                                        const Progress &progress);

} // namespace ksplice

#endif
