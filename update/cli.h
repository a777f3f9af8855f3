// What the production-host tools (ksplice-apply, ksplice-undo,
// ksplice-view) print: a transaction's report as text or as one JSON
// object.  The tools only parse, call a transaction and print this.
//
// stderr holds, in order: with --raw-errors the bare token of the failure
// (so it is always the first line), the warnings ("TOOL: warning: ..."),
// then "TOOL: error: MESSAGE" and "TOOL: note: ..." lines.
#ifndef KSPLICE_UPDATE_CLI_H
#define KSPLICE_UPDATE_CLI_H

#include <string>
#include <vector>

#include "apply.h"
#include "boot.h"
#include "causes.h"
#include "list.h"
#include "report.h"
#include "series.h"
#include "sysfs.h"
#include "undo.h"

namespace ksplice {

// What a tool prints on stderr when the loader refused `action` ("apply",
// "undo", or "check" for a dry run) on update `id`: with raw, first the
// bare token; then "<tool>: error: <token>: <sentence>", a line naming the
// update, the loader's detail lines and one line per conflicting task.
// Returns the lines (without newlines).
std::vector<std::string> abortReport(const std::string &tool,
                                     const std::string &id,
                                     const std::string &action,
                                     const std::string &token,
                                     const Conflicts &conflicts, bool raw,
                                     const std::vector<std::string> &detail = {});

// ksplice-apply SERIES_DIR and --boot: every update applied but those that
// wait for a module to be loaded (series.h, boot.h).
inline constexpr int kExitWaiting = 3;

// A rendered report: what goes to stdout and stderr, and the exit status.
struct Printed {
  std::string out;
  std::string err;
  int status = 0;
};

// The stderr lines of a failure (with raw, the bare token first).
std::string failureText(const std::string &tool, const Failure &f, bool raw);

Printed printApply(const std::string &tool, const ApplyReport &r, bool raw);
Printed printUndo(const std::string &tool, const UndoReport &r, bool raw);
// ksplice-apply --boot: each update's report in order, all on stdout (so
// the journal keeps the order), the updates kept for other kernels as
// notes, and a summary line; the error, if any update failed, on stderr.
Printed printBoot(const std::string &tool, const BootReport &r);
// ksplice-apply SERIES_DIR: a line per update of the series in order (the
// failed one's error on stderr), what was taken out again, the modules the
// updates that wait need (status kExitWaiting), and the level.
Printed printSeries(const std::string &tool, const SeriesReport &r, bool raw);
// ksplice-view --series DIR: the effective level and what is missing.
Printed printSeriesLevel(const Series &s, const SeriesLevel &l);
// Plain ksplice-view, after the updates: one line per series applied since
// boot (recordedSeries()), its level.
std::string seriesLevelLine(const Series &s, const SeriesLevel &l);
// The same in --json: {"from","to","kernel_release","applied","total",
// "effective","missing":[ids]}.
std::string seriesLevelJson(const Series &s, const SeriesLevel &l);
Printed printList(const std::vector<UpdateView> &views);
Printed printView(const UpdateView &v);

// --json: one object on stdout, nothing on stderr, the same status.
Printed applyJson(const ApplyReport &r);
Printed undoJson(const UndoReport &r);
// {"updates":[...]}; with the patch of each update that has one recorded
// (ksplice-view --id).  With SERIES (the plain listing), also
// "series":[...], the level along each series applied since boot.
Printed viewJson(const std::vector<UpdateView> &views,
                 const std::vector<SeriesAt> *series = nullptr);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_CLI_H
