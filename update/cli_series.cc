// What ksplice-apply SERIES_DIR and ksplice-view --series print (cli.h).
#include <algorithm>

#include "cli.h"
#include "format.h"
#include "tool.h"

namespace ksplice {

namespace {

void addLine(std::string &text, const std::string &line) {
  text += line;
  text += '\n';
}

std::string count(size_t n, const char *what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// "module 'kafs'", or what to say when the loader did not name it.
std::string moduleName(const std::string &module) {
  return module.empty() ? "a module (see the loader's detail)"
                        : "module '" + module + "'";
}

std::string stepLine(const SeriesStep &s) {
  switch (s.outcome) {
    case SeriesStep::AlreadyApplied:
      return "already applied";
    case SeriesStep::Applied:
    case SeriesStep::WouldApply: {
      size_t n = s.apply ? s.apply->functions.size() : 0;
      std::string line = s.outcome == SeriesStep::Applied ? "applied"
                                                          : "would apply";
      line += " (" + count(n, "function") + ")";
      if (s.outcome == SeriesStep::Applied && s.apply && s.apply->pauseNs)
        line += ", paused " + std::to_string(*s.apply->pauseNs / 1000) + " us";
      return line;
    }
    case SeriesStep::Unchecked:
      return "not checked: it builds on an earlier update of the series, "
             "which a dry run does not apply";
    case SeriesStep::Failed:
      return "FAILED";
    case SeriesStep::Waiting:
      if (s.onWaiting)
        return "waiting: it builds on an update of the series that waits";
      return "waiting for " + moduleName(s.module) +
             " to be loaded (the update must find it loaded); nothing was "
             "changed";
  }
  return "";
}

// The modules the waiting steps need, in order, each once, with the ids
// that wait for it: "'kafs' (fs-afs-volume, fs-afs-cell)"; "?" for one the
// loader did not name.
std::string modulesWaitedFor(const std::vector<const SeriesStep *> &waiting) {
  std::vector<std::pair<std::string, std::string>> mods;
  for (const SeriesStep *st : waiting) {
    if (st->onWaiting)
      continue;
    auto it = std::find_if(mods.begin(), mods.end(),
                           [&](const auto &m) { return m.first == st->module; });
    if (it == mods.end())
      mods.push_back({st->module, st->id});
    else
      it->second += ", " + st->id;
  }
  std::string text;
  for (const auto &[mod, ids] : mods)
    text += (text.empty() ? "" : ", ") +
            (mod.empty() ? "?" : "'" + mod + "'") + " (" + ids + ")";
  return text;
}

// The lines for the updates that wait, and the exit status they make.
void printWaiting(const std::string &tool, const SeriesReport &r,
                  Printed &p) {
  auto waiting = r.waiting();
  if (waiting.empty())
    return;
  addLine(p.err, tool + ": warning: " + count(waiting.size(), "update") +
                     " of the series " + (waiting.size() == 1 ? "waits" :
                     "wait") + " for modules that are not loaded: " +
                     modulesWaitedFor(waiting) +
                     "; their code does not run now, but would run "
                     "without these fixes once loaded: load them, then run " +
                     tool + " " + r.series.dir + " again");
  for (const SeriesStep *st : waiting)  // why, in the loader's words
    if (!st->onWaiting && st->apply && st->apply->failure)
      for (const std::string &d : st->apply->failure->detail)
        addLine(p.err, "  " + st->id + ": " + d);
  if (!r.failedStep())
    p.status = kExitWaiting;
}

}  // namespace

Printed printSeries(const std::string &tool, const SeriesReport &r,
                    bool raw) {
  Printed p;
  if (r.failure) {
    p.err = failureText(tool, *r.failure, raw);
    p.status = kExitError;
    return p;
  }
  const Series &s = r.series;
  size_t n = s.updates.size();
  addLine(p.out, std::string(r.dryRun ? "dry run of series " : "series ") +
                     s.from + " -> " + s.to + " for kernel '" +
                     s.kernelRelease + "': " + count(n, "update"));
  size_t k = 0;
  for (const SeriesStep &st : r.steps)
    addLine(p.out, "[" + std::to_string(++k) + "/" + std::to_string(n) +
                       "] " + st.id + ": " + stepLine(st));
  // Each update's warnings once (a series of unsigned packages has one).
  std::vector<std::string> warnings;
  for (const SeriesStep &st : r.steps)
    if (st.apply)
      for (const std::string &w : st.apply->warnings)
        if (std::find(warnings.begin(), warnings.end(), w) == warnings.end())
          warnings.push_back(w);
  const SeriesStep *failed = r.failedStep();
  ApplyReport a = failed && failed->apply ? *failed->apply : ApplyReport{};
  if (raw && a.failure)  // the token first, as for one package
    addLine(p.err, a.failure->token);
  for (const std::string &w : warnings)
    addLine(p.err, tool + ": warning: " + w);
  if (failed) {
    a.warnings.clear();  // printed above
    if (a.failure)
      p.err += printApply(tool, a, false).err;
    addLine(p.err, tool + ": error: the series stopped at update '" +
                       failed->id + "' (" + std::to_string(k) + " of " +
                       std::to_string(n) + "); the updates after it were "
                       "not tried");
    p.status = kExitError;
  }
  for (const UndoResult &u : r.undone)
    addLine(p.out, "taken out again: " + u.id +
                       (u.failure ? " FAILED: " + u.failure->message : ""));
  if (failed && r.undone.empty() && !r.dryRun && k > 1)
    addLine(p.out, "the updates before '" + failed->id + "' stay applied "
                   "(ksplice-undo --all, or --undo-on-failure next time, "
                   "takes them out)");
  printWaiting(tool, r, p);
  size_t waiting = r.waiting().size();
  if (!failed && !r.dryRun && !waiting)
    addLine(p.out, "the kernel now has the fixes of " + s.to);
  if (!failed && !r.dryRun && waiting)
    addLine(p.out, "the kernel now has the fixes of " + s.to + " but those "
                   "of the " + count(waiting, "update") + " waiting");
  if (!failed && r.dryRun)
    addLine(p.out, std::string("the series would apply now") +
                       (waiting ? ", but for the updates waiting" : "") +
                       "; nothing was changed");
  return p;
}

std::string seriesLevelLine(const Series &s, const SeriesLevel &l) {
  return "series " + s.from + " -> " + s.to + ": " +
         std::to_string(l.applied) + " of " + std::to_string(l.total) +
         " updates applied; effective level " + l.effective + "\n";
}

std::string seriesLevelJson(const Series &s, const SeriesLevel &l) {
  return JsonObject()
      .str("from", s.from)
      .str("to", s.to)
      .str("kernel_release", s.kernelRelease)
      .num("applied", l.applied)
      .num("total", l.total)
      .str("effective", l.effective)
      .raw("missing", jsonStrings(l.missing))
      .text();
}

Printed printSeriesLevel(const Series &s, const SeriesLevel &l) {
  Printed p;
  addLine(p.out, "series " + s.from + " -> " + s.to + ": " +
                     std::to_string(l.applied) + " of " +
                     std::to_string(l.total) + " updates applied");
  addLine(p.out, "effective level: " + l.effective +
                     (l.missing.empty()
                          ? ""
                          : ", with " + std::to_string(l.applied) + " of the " +
                                std::to_string(l.total) + " updates to " +
                                s.to));
  for (const std::string &id : l.missing)
    addLine(p.out, "not applied: " + id);
  return p;
}

}  // namespace ksplice
