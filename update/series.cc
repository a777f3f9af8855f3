#include "series.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "causes.h"
#include "fs.h"
#include "list.h"
#include "manifest.h"
#include "sha256.h"
#include "update_id.h"

namespace ksplice {

namespace {

Status parseLine(Series &s, std::set<std::string> &seen,
                 const std::string &line) {
  std::istringstream in(line);
  std::string key, a, b, c, extra;
  in >> key >> a >> b >> c >> extra;
  if (key == "update") {
    if (c.empty() || !extra.empty())
      return Status::error("'update' wants ID FILE SHA256");
    if (auto st = checkUpdateId(a); !st)
      return st;
    if (std::any_of(s.updates.begin(), s.updates.end(),
                                          [&](const SeriesEntry &e) {
                                            return e.id == a;
                                          }))
      return Status::error("update '" + a + "' is listed twice");
    // A plain name: the series cannot point outside its own directory.
    if (!isPlainFileName(b))
      return Status::error("file '" + b + "' is not a plain file name");
    if (!isSha256Hex(c))
      return Status::error("'" + c + "' is not a SHA-256 in lowercase hex");
    s.updates.push_back({a, b, c});
    return okStatus();
  }
  if (a.empty() || !b.empty())
    return Status::error("'" + key + "' wants one value");
  if (!seen.insert(key).second)
    return Status::error("'" + key + "' is given twice");
  if (key == "ksplice-series") {
    if (a != "1")
      return Status::error("series format " + a +
                           " is not known (this tool reads 1)");
  } else if (key == "from") {
    s.from = a;
  } else if (key == "to") {
    s.to = a;
  } else if (key == "kernel-release") {
    s.kernelRelease = a;
  } else {
    return Status::error("unknown item '" + key + "'");
  }
  return okStatus();
}

}  // namespace

Result<Series> readSeries(const std::string &dir) {
  std::string path = dir + "/" + kSeriesIndexName;
  auto text = readFile(path);
  if (!text)
    return Status::error("'" + dir + "' is not a series directory: " +
                         text.message());
  Series s;
  s.dir = dir;
  std::set<std::string> seen;
  std::istringstream in(*text);
  std::string line;
  for (unsigned n = 1; std::getline(in, line); n++) {
    if (line.empty() || line[0] == '#')
      continue;
    if (auto st = parseLine(s, seen, line); !st)
      return Status::error(path + ":" + std::to_string(n) + ": " +
                           st.message());
  }
  for (const char *key : {"ksplice-series", "from", "to", "kernel-release"})
    if (!seen.count(key))
      return Status::error(path + ": no '" + key + "' line");
  if (s.updates.empty())
    return Status::error(path + ": no 'update' line");
  return s;
}

std::string formatSeries(const Series &s) {
  std::string out = "ksplice-series 1\nfrom " + s.from + "\nto " + s.to +
                    "\nkernel-release " + s.kernelRelease + "\n";
  for (const SeriesEntry &e : s.updates)
    out += "update " + e.id + " " + e.file + " " + e.sha256 + "\n";
  return out;
}

const SeriesStep *SeriesReport::failedStep() const {
  if (!steps.empty() && steps.back().outcome == SeriesStep::Failed)
    return &steps.back();
  return nullptr;
}

std::vector<const SeriesStep *> SeriesReport::waiting() const {
  std::vector<const SeriesStep *> w;
  for (const SeriesStep &st : steps)
    if (st.outcome == SeriesStep::Waiting)
      w.push_back(&st);
  return w;
}

namespace {

// What became of an update when applyUpdate() gave `a`.  `pendingBefore`:
// an earlier update of the series was only checked (a dry run);
// `waitingBefore`: one waits.  Missing a prerequisite after those, it is
// built on one of them (every other earlier update is applied).
SeriesStep::Outcome outcomeOf(const ApplyReport &a, bool dryRun,
                              bool pendingBefore, bool waitingBefore) {
  if (!a.failure)
    return dryRun ? SeriesStep::WouldApply : SeriesStep::Applied;
  // A dry run cannot tell whether the prerequisite is one it only checked.
  if (a.failure->token == kMissingPrerequisiteToken && dryRun && pendingBefore)
    return SeriesStep::Unchecked;
  return waitsForModule(a.failure->token, waitingBefore) ? SeriesStep::Waiting
                                                         : SeriesStep::Failed;
}

Result<std::set<std::string>> appliedIds(const Host &host) {
  auto views = listUpdates(host);
  if (!views)
    return views.status();
  std::set<std::string> ids;
  for (const UpdateView &v : *views)
    if (v.stage == "applied")
      ids.insert(v.id);
  return ids;
}

// Everything that can be known before loading anything: the kernel is the
// series' one, and every package is the one the index names.
std::optional<Failure> checkSeries(const Host &host, const Series &s) {
  auto release = host.kernelRelease();
  if (!release)
    return toolFailure(release.message());
  if (*release != s.kernelRelease)
    return toolFailure("series '" + s.dir + "' is for kernel '" +
                       s.kernelRelease + "', this one is '" + *release +
                       "'; use the series built for this kernel");
  for (const SeriesEntry &e : s.updates) {
    auto digest = sha256File(s.pathOf(e));
    if (!digest)
      return toolFailure("series '" + s.dir + "': update '" + e.id +
                             "': " + digest.message(),
                         "bad_package");
    if (*digest != e.sha256)
      return toolFailure("series '" + s.dir + "': '" + e.file +
                             "' is not the package the index names (SHA-256 " +
                             *digest + ", index " + e.sha256 +
                             "); copy the series again",
                         "bad_package");
  }
  return std::nullopt;
}

void undoThisRun(Host &host, const SeriesReport &r,
                 std::vector<UndoResult> &undone) {
  for (auto it = r.steps.rbegin(); it != r.steps.rend(); ++it) {
    if (it->outcome != SeriesStep::Applied)
      continue;
    UndoOptions o;
    o.id = it->id;
    UndoReport u = undoUpdates(host, o);
    undone.insert(undone.end(), u.updates.begin(), u.updates.end());
  }
}

}  // namespace

SeriesReport applySeries(Host &host, const SeriesOptions &options) {
  SeriesReport r;
  r.dryRun = options.apply.dryRun;
  auto series = readSeries(options.dir);
  if (!series) {
    r.failure = toolFailure(series.message());
    return r;
  }
  r.series = *series;
  if (auto f = checkSeries(host, r.series)) {
    r.failure = std::move(f);
    return r;
  }
  if (!options.apply.dryRun)
    if (Status st = recordSeries(host, r.series); !st) {
      r.failure = toolFailure(st.message());
      return r;
    }
  auto applied = appliedIds(host);
  if (!applied) {
    r.failure = toolFailure(applied.message());
    return r;
  }
  bool pendingBefore = false;  // an earlier update was only checked
  bool waitingBefore = false;  // an earlier update waits for a module
  for (const SeriesEntry &e : r.series.updates) {
    SeriesStep step;
    step.id = e.id;
    if (applied->count(e.id)) {
      step.outcome = SeriesStep::AlreadyApplied;
      r.steps.push_back(std::move(step));
      continue;
    }
    ApplyOptions o = options.apply;
    o.package = r.series.pathOf(e);
    ApplyReport a = applyUpdate(host, o);
    step.outcome = outcomeOf(a, options.apply.dryRun, pendingBefore,
                             waitingBefore);
    if (step.outcome == SeriesStep::Waiting) {
      step.onWaiting = a.failure->token != kTargetNotLoadedToken;
      step.module = step.onWaiting ? "" : moduleToLoad(a.failure->detail);
    }
    step.apply = std::move(a);
    r.steps.push_back(std::move(step));
    if (r.steps.back().outcome == SeriesStep::Failed)
      break;
    waitingBefore = waitingBefore ||
                    r.steps.back().outcome == SeriesStep::Waiting;
    pendingBefore = pendingBefore || options.apply.dryRun;
  }
  if (r.failedStep() && options.undoOnFailure && !options.apply.dryRun)
    undoThisRun(host, r, r.undone);
  return r;
}

static std::string seriesRecordDir(const Host &host) {
  return host.records().root() + "/.series";
}

Status recordSeries(Host &host, const Series &s) {
  std::string text = formatSeries(s);
  std::string dir = seriesRecordDir(host) + "/" + sha256Hex(text).substr(0, 16);
  if (Status st = makeDirectories(dir); !st)
    return st;
  return writeFile(dir + "/" + kSeriesIndexName, text);
}

std::vector<Series> recordedSeries(const Host &host) {
  std::vector<Series> all;
  auto names = listDirectory(seriesRecordDir(host));
  if (!names)
    return all;  // none recorded since boot
  std::sort(names->begin(), names->end());
  for (const std::string &n : *names)
    if (auto s = readSeries(seriesRecordDir(host) + "/" + n))
      all.push_back(std::move(*s));
  return all;
}

Result<SeriesLevel> seriesLevel(const Host &host, const Series &s) {
  auto applied = appliedIds(host);
  if (!applied)
    return applied.status();
  SeriesLevel l;
  l.total = s.updates.size();
  for (const SeriesEntry &e : s.updates) {
    if (applied->count(e.id))
      l.applied++;
    else
      l.missing.push_back(e.id);
  }
  l.effective = l.missing.empty() ? s.to : s.from;
  return l;
}

}  // namespace ksplice
