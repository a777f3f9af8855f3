//===- series_resume.h - What an interrupted series already built ---------===//
//
// A whole release is hours of compiling on a small machine, and a run can
// be stopped (a reboot, a Ctrl-C).  Each .c file's result is saved in the
// output directory as soon as it is known (OUTDIR/results/NNN-ID: its
// fate, update and reason, one field per line), and `--resume` takes the
// saved results of an earlier run into the same directory instead of
// building those files again.  Only a run with the very same inputs may
// use them: OUTDIR/results/inputs holds a digest of this ksplice-create
// binary, the loader and scripts it packages, both trees' paths, the
// config, the headers' Module.symvers and the signing keys; another digest
// discards them.  A header group's update is saved the same way, with its
// members: it is taken only for the very same group.  The trees are in the
// digest by their paths, so each record also holds the digest of the diff
// it was made from (a file's, or a group's): a tree changed in place gets
// its changed files built again.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_SERIES_RESUME_H
#define KSPLICE_CREATE_SERIES_RESUME_H

#include "series.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

/// What a record of the change PATCH (a file's diff, or a group's) is
/// keyed by: the trees are named by their paths in the inputs, and a tree
/// changed in place must not get the results of its former contents.
std::string changeDigest(const std::string &patch);

class SeriesRecords {
public:
  /// OUTDIR/results for a series of options O.  With O.resume and the
  /// same inputs, an earlier run's records are kept; else they are removed.
  /// KEPT is set to how many there are.
  static llvm::Expected<SeriesRecords> open(const SeriesCreateOptions &o,
                                            size_t &kept);

  /// Fills F (whose path is set) from STEM's record: false when there is
  /// none, it is for another file, another CHANGE (the digest of its diff,
  /// changeDigest()) or other MEMBERS (a header group's files, lead
  /// included), or its package is missing.
  bool restore(const std::string &stem, SeriesFileResult &f,
               const std::string &change,
               const std::vector<std::string> &members = {}) const;

  /// Saves F, made from CHANGE and leading MEMBERS, as STEM's record
  /// (written whole, then renamed into place).
  llvm::Error save(const std::string &stem, const SeriesFileResult &f,
                   const std::string &change,
                   const std::vector<std::string> &members = {}) const;

  /// The digest of this run's inputs: the key of whatever else a resumed
  /// run may take from this one (the kept post objects, series_build.h).
  const std::string &inputs() const { return digest; }

private:
  std::string dir, outputDir, digest;
};

} // namespace ksplice

#endif
