// ksplice-undo's transaction: write "undo" to an update's stage file (the
// loader puts the original code back), unload its patch module and remove
// its record and the copy kept for reboots (update/store.h).  An update
// that is loaded but not applied is just unloaded; a record or kept copy
// whose update is not in the kernel any more (after a reboot) is removed.  All of it under the /run/ksplice lock, with SIGINT, SIGTERM,
// SIGHUP and SIGQUIT held back.
#ifndef KSPLICE_UPDATE_UNDO_H
#define KSPLICE_UPDATE_UNDO_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host.h"
#include "report.h"

namespace ksplice {

struct UndoOptions {
  std::string id;
  bool all = false;  // every update, newest first, stopping at a failure
};

// What happened to one update.
struct UndoResult {
  enum Outcome { Failed, Undone, Unloaded, StaleRecordRemoved };
  Outcome outcome = Failed;
  std::string id;
  std::string stage;   // before: "applied", "loaded", "reversed"; "" if
                       // unknown or not loaded
  std::string module;  // the patch module unloaded (Undone, Unloaded)
  std::optional<uint64_t> pauseNs;   // the undo's pause (Undone)
  std::vector<std::string> timings;  // the loader's "phase ns" lines
  std::optional<Failure> failure;    // Failed
  std::vector<std::string> warnings;
};

struct UndoReport {
  // In the order tried; with --all, up to the first failure.
  std::vector<UndoResult> updates;
  // A failure before any update (the lock, the list of updates).
  std::optional<Failure> failure;
  // --all found nothing to undo.
  bool nothingToUndo = false;
  std::vector<Phase> phases;

  // The failure that decides the exit status, if any.
  const Failure *firstFailure() const;
};

UndoReport undoUpdates(Host &host, const UndoOptions &options);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_UNDO_H
