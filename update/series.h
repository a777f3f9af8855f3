// A series: the ordered updates that bring a running kernel to the fixes of
// a later release (docs/user-guide.md, "A series of updates").  A directory:
//
//   SERIES_DIR/series      the index, below
//   SERIES_DIR/<file>      each update package it names
//
// The index is text, one item per line, '#' lines ignored:
//
//   ksplice-series 1
//   from 6.1.176-1                  the release the kernel was built from
//   to 6.1.187-1                    the release whose fixes the series brings
//   kernel-release 6.1.0-28-amd64   uname -r of the kernel it is built for
//   update ID FILE SHA256           one per update, in the order to apply
//
// applySeries() applies, in order, every update of the series that is not
// applied yet, each by applyUpdate(); it stops at the first that fails and
// leaves the ones before it applied, or with undoOnFailure takes out again
// those this run applied, newest first.  A dry run checks each update that
// is not applied; one built on an earlier update of the series that is not
// applied (missing_prerequisite) cannot be checked before that one is in,
// and is reported as unchecked, not as a failure.
//
// An update that must find a module loaded (target_not_loaded: hooks, or
// the module's own static keys, static calls or tracepoints in its new
// code), on a host where that module is not loaded, changed nothing and is
// no failure of the series: it waits, with the module to load, and the
// series goes on; so does each later update built on a waiting one (its
// missing_prerequisite).  Such a module's code is not running, but it
// would run unfixed if loaded: load it, and apply the series again.
#ifndef KSPLICE_UPDATE_SERIES_H
#define KSPLICE_UPDATE_SERIES_H

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "apply.h"
#include "host.h"
#include "report.h"
#include "undo.h"

namespace ksplice {

inline constexpr const char *kSeriesIndexName = "series";

struct SeriesEntry {
  std::string id;
  std::string file;    // a plain name in the series directory
  std::string sha256;  // of the file, lowercase hex
};

struct Series {
  std::string dir;
  std::string from, to;       // Debian versions
  std::string kernelRelease;  // uname -r
  std::vector<SeriesEntry> updates;

  std::string pathOf(const SeriesEntry &e) const { return dir + "/" + e.file; }
};

// Reads and checks SERIES_DIR/series: every field present once, ids valid
// and distinct, files plain names.  Does not read the packages.
Result<Series> readSeries(const std::string &dir);
// The index text of `s` (what readSeries() reads back).
std::string formatSeries(const Series &s);

struct SeriesOptions {
  std::string dir;
  // What each update is applied with (dry run, retries, persist, trust);
  // its package is set per entry.
  ApplyOptions apply;
  bool undoOnFailure = false;  // take this run's updates out after a failure
};

struct SeriesStep {
  enum Outcome {
    AlreadyApplied,
    Applied,
    WouldApply,
    Unchecked,
    Failed,
    Waiting  // for `module` to be loaded, or built on an update that waits
  };
  Outcome outcome = Failed;
  std::string id;
  // Waiting: the module to load ("" if the loader did not say), or built
  // on an update of the series that waits.
  std::string module;
  bool onWaiting = false;
  std::optional<ApplyReport> apply;  // when applyUpdate() ran
};

struct SeriesReport {
  Series series;
  bool dryRun = false;
  // Before any update: the index, the kernel release, a package's digest.
  std::optional<Failure> failure;
  // In series order, up to and including the one that failed.
  std::vector<SeriesStep> steps;
  // undoOnFailure: this run's updates taken out again, newest first.
  std::vector<UndoResult> undone;

  const SeriesStep *failedStep() const;
  // The steps that wait, in series order.
  std::vector<const SeriesStep *> waiting() const;
};

SeriesReport applySeries(Host &host, const SeriesOptions &options);

// How far the running kernel is along a series: which of its updates are
// applied (by id, as ksplice-view lists them).
struct SeriesLevel {
  size_t applied = 0, total = 0;
  std::vector<std::string> missing;  // ids not applied, in series order
  // The release whose fixes are all in: `to` when every update is applied,
  // `from` otherwise.
  std::string effective;
};

Result<SeriesLevel> seriesLevel(const Host &host, const Series &s);

// A series and the kernel's level along it.
struct SeriesAt {
  Series series;
  SeriesLevel level;
};

// ksplice-apply SERIES_DIR keeps a copy of the index it applies in
// <run dir>/.series/<first 16 hex digits of its SHA-256>/series; like the
// records of applied updates it is gone after a reboot, with the updates.
// So plain ksplice-view shows the level along every series applied since
// boot.
Status recordSeries(Host &host, const Series &s);
// The series recorded, in the order of their directories' names; an
// unreadable one is skipped.
std::vector<Series> recordedSeries(const Host &host);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_SERIES_H
