//===- pre_cache.h - Objects compiled before the changes, kept ------------===//
//
// A series compiles many objects before its changes: its batch (each
// changed .c file's object, series_build.h) and each header group (the
// objects that #include its headers), and the groups of one series share
// objects, as does the next series for the same running kernel.  Compiled
// from the pristine tree of one configuration, an object is the same bytes
// every time, so it is compiled once and kept here, under the farm's
// configuration key (BuildTree::configurationKey), with a copy of its .cmd
// file: what it read.  A build takes a kept object only when none of the
// patches it applies before its pre compile (--after) changes a file the
// object read, and adds none (a new file may shadow a header by its name).
//
// Layout: DIR/.key, DIR/.tree (the farm whose paths the .cmd files
// name), DIR/<object>, DIR/<dir>/.<name>.o.cmd.  An object comes in
// whole (rename); its .cmd copy is written last, so an entry without one
// is an object whose reads are unknown: the batch can use it (it knows what
// its objects read), a header group compiles it again.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_PRE_CACHE_H
#define KSPLICE_CREATE_PRE_CACHE_H

#include "patch_file.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace ksplice {

class PreCache {
public:
  /// DIR, emptied unless it holds objects of KEY compiled in TREE.
  static llvm::Expected<PreCache> open(const std::string &dir,
                                       const std::string &key,
                                       const std::string &tree);

  const std::string &dir() const { return dir_; }
  std::string path(const std::string &object) const {
    return dir_ + "/" + object;
  }
  bool has(const std::string &object) const;
  /// The files OBJECT read, from its .cmd copy; nothing when it has none.
  std::optional<std::vector<std::string>>
  reads(const std::string &object) const;
  /// Links FILE (OBJECT just compiled in the tree) in, then copies its
  /// .cmd file from the tree.  FILE must not be written again in place.
  llvm::Error keep(const std::string &object, const std::string &file) const;

private:
  PreCache(std::string dir, std::string tree)
      : dir_(std::move(dir)), tree_(std::move(tree)) {}
  std::string dir_, tree_;
};

/// Where ksplice-create --cache CACHEDIR keeps its pre objects.
inline std::string preCacheDir(const std::string &cacheDir) {
  return cacheDir + "/series-pre";
}

/// Whether an object that read READS compiles to the same bytes with
/// AFTER (the files the --after patches touch) applied as without them.
bool unchangedBy(const std::vector<TouchedFile> &after,
                 const std::vector<std::string> &reads);

} // namespace ksplice

#endif
