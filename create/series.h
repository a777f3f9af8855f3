//===- series.h - A series of updates from two source releases ------------===//
//
// ksplice-create --series NEW_SRC: the difference between the source the
// running kernel was built from (KERNEL_SRC) and a later release's source,
// made into an ordered series of updates (update/series.h) that
// `ksplice-apply SERIES_DIR` applies.
//
//   1. list the files that differ (diff -rq);
//   2. split: one update per changed .c file, its patch that file's diff
//      alone, in path order; a file is its own update so that one refusal
//      does not hold back the fixes of the others;
//   3. compile the .c files' objects once per side, all together
//      (series_build.h), keeping the pre objects for the next series;
//   4. make each file an update with createUpdate() (from those objects,
//      or alone in a worker's farm when the batch could not decide it),
//      by a pool of workers, and classify it: an update, no functional
//      change for this configuration, refused (the rule and the place),
//      not in this configuration (no object of this configuration
//      compiles it), or an error;
//   5. carry the changed headers (series_headers.h): each with the files
//      that do not compile without it, as one update after the others,
//      when few enough objects include it;
//   6. write the packages, the index (update/series.h), the patches and
//      report.txt: every changed file and what became of it, then the
//      coverage (changed functions the series replaces, of all changed
//      functions found) and what the headers took.
//
// Other files (Makefiles, scripts, documentation) are listed, not built.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_SERIES_H
#define KSPLICE_CREATE_SERIES_H

#include "create.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

struct SeriesCreateOptions {
  CreateOptions base;     // source = the running kernel's; config, headers...
  std::string newSource;  // the later release's tree
  std::string from, to;   // the index's labels ("" = the trees' names)
  std::string outputDir;
  // Files built at once, each in its own farm (disk: a source tree and its
  // objects per worker); each builds with base.jobs compile jobs.
  unsigned workers = 1;
  // A changed header is carried when at most this many objects of the
  // configured build include it (series_headers.h).
  unsigned headerObjects = 100;
  // Take the .c files' results an earlier run with the same inputs saved
  // in outputDir (series_resume.h) instead of building them again.
  bool resume = false;
};

struct SeriesFileResult {
  enum Fate {
    Update, NoChange, Refused, NotConfigured, Header, NeedsHeader, NotC, Error
  };
  std::string path;  // relative to the trees
  Fate fate = Error;
  std::string id;       // the id of the update it would lead
                        // (seriesUpdateIds)
  std::string package;  // the file of the update it leads, if it does
  std::string why;   // Refused, Error: the reason; Header, NotC: a note
  size_t replaced = 0, refusedFunctions = 0;
  std::vector<std::string> objects;  // Update: the objects it replaces in
  // Update, Refused: each object whose functions the change alters, with
  // its target (vmlinux or a module) and how many, so that coverage can be
  // counted over the code a given kernel runs (its loaded modules).
  struct ObjectFunctions {
    std::string object, target;
    size_t functions = 0;
  };
  std::vector<ObjectFunctions> byObject;
  std::string patch;     // its update's patch (patches/NNN-ID.patch)
  size_t includers = 0;  // a header: objects of this configuration that
                         // include it
};

struct SeriesCreateResult {
  std::vector<SeriesFileResult> files;  // every changed file, path order
  std::vector<size_t> order;  // the files[] leading each update, in the
                              // series' order
  std::string index, report;            // paths written
  size_t updates() const;
  size_t replacedFunctions() const;
  size_t changedFunctions() const;  // replaced + those of refused files
};

// The id of a file's update: "fs/proc/base.c" -> "fs-proc-base",
// "fs/ocfs2/journal.h" -> "fs-ocfs2-journal-h", a new update id
// (update_id.h); a path too long keeps its end, behind the first 8 hex
// digits of its SHA-256.
std::string seriesUpdateId(const std::string &path);

// The ids of a series' files, one per path, all different: a readable id
// two paths share ("a/b-c.c", "a-b/c.c") is replaced, for each of them, by
// the hashed form.
std::vector<std::string> seriesUpdateIds(const std::vector<std::string> &paths);

llvm::Expected<SeriesCreateResult>
createSeries(const SeriesCreateOptions &opts, const Progress &progress);

} // namespace ksplice

#endif
