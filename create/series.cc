//===- series.cc - A series of updates from two source releases -----------===//

#include "series.h"
#include "pre_cache.h"
#include "error.h"
#include "cache_lock.h"
#include "series_build.h"
#include "series_headers.h"
#include "series_resume.h"
#include "parallel.h"
#include "process.h"
#include "sha256.h"
#include "update_id.h"
#include "update_package.h"

#include "../update/series.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

size_t SeriesCreateResult::updates() const { return order.size(); }

size_t SeriesCreateResult::replacedFunctions() const {
  size_t n = 0;
  for (const SeriesFileResult &f : files)
    n += f.replaced;
  return n;
}

size_t SeriesCreateResult::changedFunctions() const {
  size_t n = 0;
  for (const SeriesFileResult &f : files)
    n += f.replaced + f.refusedFunctions;
  return n;
}

// The files that differ between the trees, relative, sorted; a file only
// in one tree counts (diff -N: as if empty in the other).
static llvm::Expected<std::vector<std::string>>
changedFiles(const std::string &oldTree, const std::string &newTree) {
  Command cmd;
  cmd.argv = {"diff", "-rqN", "--no-dereference", oldTree, newTree};
  auto r = run(cmd);
  if (!r)
    return r.takeError();
  if (r->status > 1 && r->output.find("Files ") == std::string::npos &&
      r->output.find("diff: ") == std::string::npos)
    return fail("diff -rq '" + oldTree + "' '" + newTree +
                "' failed: " + r->output);
  std::vector<std::string> files;
  std::string prefix = "Files " + oldTree + "/";
  std::istringstream in(r->output);
  for (std::string line; std::getline(in, line);) {
    llvm::StringRef l(line);
    // A file diff cannot open in one tree (a symbolic link only in the
    // other): it differs too.
    if (l.consume_front("diff: ")) {
      llvm::StringRef path = l.rsplit(": ").first;
      if (!path.consume_front(oldTree + "/") &&
          !path.consume_front(newTree + "/"))
        return fail("diff -rq: " + line);
      files.push_back(path.str());
      continue;
    }
    if (!l.consume_front(prefix) || !l.consume_back(" differ"))
      return fail("diff -rq: cannot read '" + line + "'");
    size_t and_ = l.find(" and " + newTree + "/");
    if (and_ == llvm::StringRef::npos)
      return fail("diff -rq: cannot read '" + line + "'");
    files.push_back(l.substr(0, and_).str());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

// The readable id of PATH: its name without ".c", lowercase, every other
// character that an id cannot hold a '-'; a name too long keeps its end.
static std::string readableId(const std::string &path) {
  llvm::StringRef name(path);
  name.consume_back(".c");
  std::string id;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    id += (std::isalnum(static_cast<unsigned char>(l)) || l == '_') ? l : '-';
  }
  return id;
}

// The id of PATH behind the first 8 hex digits of its SHA-256.
static std::string hashedId(const std::string &path, const std::string &id) {
  return sha256Hex(path).substr(0, 8) + "-" +
         id.substr(id.size() - std::min(id.size(),
                                        kMaxNewUpdateIdLength - 9));
}

// (series.h)
std::string seriesUpdateId(const std::string &path) {
  std::string id = readableId(path);
  if (id.size() > kMaxNewUpdateIdLength)
    id = hashedId(path, id);
  if (!isNewUpdateId(id))
    id = "u" + sha256Hex(path).substr(0, 8);
  return id;
}

// (series.h)
std::vector<std::string>
seriesUpdateIds(const std::vector<std::string> &paths) {
  std::vector<std::string> ids;
  std::map<std::string, size_t> uses;
  for (const std::string &p : paths)
    uses[ids.emplace_back(seriesUpdateId(p))]++;
  for (size_t i = 0; i < paths.size(); i++)
    if (uses[ids[i]] > 1) {
      ids[i] = hashedId(paths[i], readableId(paths[i]));
      if (!isNewUpdateId(ids[i]))
        ids[i] = "u" + sha256Hex(paths[i]).substr(0, 16);
    }
  return ids;
}

// The unified diff of one file between the trees, as a -p1 patch.
static llvm::Expected<std::string> fileDiff(const SeriesCreateOptions &o,
                                            const std::string &path) {
  Command cmd;
  cmd.argv = {"diff", "-uN", "--label", "a/" + path, "--label", "b/" + path,
              o.base.source + "/" + path, o.newSource + "/" + path};
  auto r = run(cmd);
  if (!r)
    return r.takeError();
  if (r->status != 1)
    return fail("diff of '" + path + "' failed: " + r->output);
  return r->output;
}

// An error on one line of the report: its first line, and the compiler's
// first "error:" line if it has one (a build that failed).
static std::string oneLine(const std::string &text) {
  llvm::StringRef first = llvm::StringRef(text).split('\n').first;
  std::string line = first.size() > 160 ? first.take_front(160).str() + "..."
                                        : first.str();
  llvm::StringRef rest = llvm::StringRef(text).split('\n').second;
  while (!rest.empty()) {
    auto [l, tail] = rest.split('\n');
    if (l.contains(": error: "))
      return line + ": " + l.trim().str();
    rest = tail;
  }
  return line;
}

static void classify(SeriesFileResult &f, const CreateResult &c) {
  for (const UnitResult &u : c.units) {
    (c.outcome == CreateResult::Unpatchable ? f.refusedFunctions
                                            : f.replaced) += u.changed.size();
    if (u.changed.empty())
      continue;
    f.objects.push_back(u.object);
    f.byObject.push_back({u.object, u.target, u.changed.size()});
  }
  switch (c.outcome) {
  case CreateResult::Made:
    f.fate = SeriesFileResult::Update;
    break;
  case CreateResult::Unpatchable: {
    f.fate = SeriesFileResult::Refused;
    const Refused &r = c.refusals.front();
    f.why = (r.object.empty() ? "" : r.object + ": ") + r.section +
            (r.symbol.empty() ? "" : " '" + r.symbol + "'") + ": " + r.reason;
    f.refusedFunctions = std::max<size_t>(f.refusedFunctions, 1);
    break;
  }
  case CreateResult::NoChange:
    // No unit compared: no object of this configuration builds the file.
    f.fate = c.units.empty() ? SeriesFileResult::NotConfigured
                             : SeriesFileResult::NoChange;
    f.replaced = 0;
    break;
  }
}

// One changed .c file made into an update, or classified: from the
// batch's objects when it compiled them, else alone in the worker's farm.
static llvm::Error buildOne(const SeriesCreateOptions &o,
                            const std::string &cacheDir, SeriesFileResult &f,
                            const BatchFile &b, const Progress &progress) {
  if (b.state == BatchFile::NotConfigured) {
    f.fate = SeriesFileResult::NotConfigured;
    return llvm::Error::success();
  }
  std::string stem = fs::path(b.work).filename().string();
  CreateOptions c = o.base;
  c.checkLayouts = true;
  c.cacheDir = cacheDir;
  c.patchFile = o.outputDir + "/patches/" + stem + ".patch";
  f.patch = c.patchFile;
  c.id = f.id;
  c.description = "series " + o.to + ": " + f.path;
  c.output = o.outputDir + "/" + stem + ".tar.gz";
  if (b.state == BatchFile::Ready)
    c.prebuilt = CreateOptions::Prebuilt{b.work, b.objects};
  else if (!b.why.empty())
    progress(f.path + ": built alone (" + b.why + ")");
  auto res = createUpdate(c, progress);
  if (!res) {
    f.fate = SeriesFileResult::Error;
    f.why = oneLine(llvm::toString(res.takeError()));
    return llvm::Error::success();
  }
  classify(f, *res);
  if (f.fate != SeriesFileResult::Update)
    return llvm::Error::success();
  f.package = fs::path(c.output).filename().string();
  return llvm::Error::success();
}

static const char *fateName(SeriesFileResult::Fate f) {
  switch (f) {
  case SeriesFileResult::Update: return "update";
  case SeriesFileResult::NoChange: return "no functional change";
  case SeriesFileResult::Refused: return "refused";
  case SeriesFileResult::NotConfigured: return "not in this configuration";
  case SeriesFileResult::Header: return "header, not carried";
  case SeriesFileResult::NeedsHeader: return "needs a header change, not carried";
  case SeriesFileResult::NotC: return "not a C file, not carried";
  case SeriesFileResult::Error: return "error";
  }
  return "";
}

// What carrying the changed headers took and what leaving them saved, in
// objects to compile on each side.
static std::string headerSummary(const SeriesCreateOptions &o,
                                 const SeriesCreateResult &r) {
  size_t carried = 0, left = 0, none = 0, compiled = 0, skipped = 0;
  for (const SeriesFileResult &f : r.files) {
    if (!llvm::StringRef(f.path).endswith(".h"))
      continue;
    if (f.fate == SeriesFileResult::Header) {
      left++;
      skipped += f.includers;
    } else if (f.fate == SeriesFileResult::NotConfigured) {
      none++;
    } else {
      carried++;
      compiled += f.includers;
    }
  }
  if (!carried && !left && !none)
    return "";
  std::ostringstream out;
  out << "headers: " << carried << " carried (" << compiled
      << " objects include them), " << left
      << " not carried (more than " << o.headerObjects
      << " objects each; " << skipped
      << " in all, counted once per header), " << none
      << " included by no object of this configuration\n";
  return out.str();
}

static std::string reportText(const SeriesCreateOptions &o,
                              const SeriesCreateResult &r) {
  std::ostringstream out;
  out << "ksplice-create --series: " << o.from << " -> " << o.to << "\n"
      << "running kernel's source: " << o.base.source << "\n"
      << "later source: " << o.newSource << "\n\n";
  for (const SeriesFileResult &f : r.files) {
    out << f.path << ": " << fateName(f.fate);
    if (!f.package.empty())
      out << " " << f.id << " (" << f.replaced << " function"
          << (f.replaced == 1 ? "" : "s") << ")";
    if (!f.why.empty())
      out << ": " << f.why;
    out << "\n";
  }
  size_t changed = r.changedFunctions(), replaced = r.replacedFunctions();
  out << "\n" << r.files.size() << " changed files, " << r.updates()
      << " updates\n"
      << "coverage: " << replaced << " of " << changed
      << " changed functions of this kernel replaced";
  if (changed)
    out << " (" << (replaced * 1000 / changed) / 10.0 << " %)";
  out << "; not counted: files that failed to build, and headers not "
         "carried (their functions are inlined into the objects that "
         "include them)\n";
  out << headerSummary(o, r);
  return out.str();
}

// Each .c file's patch, written as patches/NNN-<id>.patch (its order in
// the series), and its batch entry.
static llvm::Expected<std::vector<BatchFile>>
prepareBatch(const SeriesCreateOptions &o, const std::vector<size_t> &units,
             const SeriesCreateResult &result) {
  std::vector<BatchFile> batch;
  std::error_code ec;
  fs::remove_all(o.base.cacheDir + "/work/series", ec);
  for (size_t k = 0; k < units.size(); k++) {
    const std::string &path = result.files[units[k]].path;
    char num[24];
    snprintf(num, sizeof num, "%03zu", k + 1);
    std::string stem = std::string(num) + "-" + result.files[units[k]].id;
    auto text = fileDiff(o, path);
    if (!text)
      return text.takeError();
    std::string patch = o.outputDir + "/patches/" + stem + ".patch";
    if (!(std::ofstream(patch) << *text))
      return fail("cannot write '" + patch + "'");
    BatchFile b;
    b.path = path;
    b.patch = std::move(*text);
    b.change = changeDigest(b.patch);
    b.work = o.base.cacheDir + "/work/series/" + stem;
    batch.push_back(std::move(b));
  }
  return batch;
}

// The batch (series_build.h), in worker 0's farm.
static llvm::Error compileOnce(const SeriesCreateOptions &o,
                               std::vector<BatchFile> &batch,
                               const std::string &release,
                               const SeriesRecords &records,
                               const Progress &progress) {
  CacheLock lock;
  if (auto err = lock.acquire(o.base.cacheDir, progress))
    return err;
  // One make at a time here: it gets every worker's jobs.
  CreateOptions all = o.base;
  all.jobs = o.base.jobs * o.workers;
  BuildTree tree(treeOptions(all, release), progress);
  if (auto err = tree.sync())
    return err;
  // Under --resume the post objects are kept for a run that resumes this one.
  auto stats = compileBatch(tree, batch, all.cacheDir, all.source,
                            o.resume ? records.inputs() : std::string(),
                            all.jobs, progress);
  if (!stats)
    return stats.takeError();
  size_t ready = 0, alone = 0;
  for (const BatchFile &b : batch) {
    ready += b.state == BatchFile::Ready;
    alone += b.state == BatchFile::OneFile;
  }
  char line[200];
  snprintf(line, sizeof line,
           "compiled once: %zu objects (pre %.0f s, %zu kept from an earlier "
           "series; post %.0f s, %zu kept from an earlier run): %zu files "
           "ready, %zu to build alone",
           stats->objects, stats->preSeconds, stats->preCached,
           stats->postSeconds, stats->postKept, ready, alone);
  progress(line);
  return llvm::Error::success();
}

// Builds the .c files result.files[units[k]] with o.workers threads, and
// saves each one's result in RECORDS; each worker has its own farm (a farm
// is one tree the patch is applied into), in CACHE/series-<n>, worker 0 in
// CACHE itself.
static llvm::Error buildUnits(const SeriesCreateOptions &o,
                              const std::vector<size_t> &units,
                              const std::vector<BatchFile> &batch,
                              const SeriesRecords &records,
                              SeriesCreateResult &result,
                              const Progress &progress) {
  std::mutex mu;  // protects done and calls to progress
  size_t done = 0;
  auto say = [&](const std::string &line) {
    std::lock_guard<std::mutex> lock(mu);
    progress(line);
  };
  auto start = std::chrono::steady_clock::now();
  return forEachParallel(0, units.size(), o.workers,
                         [&](size_t k, unsigned worker) -> llvm::Error {
    {
      std::lock_guard<std::mutex> lock(mu);
      double s = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
      std::string eta =
          done ? ", about " +
                     std::to_string(int(s / done * (units.size() - done))) +
                     " s left"
               : "";
      progress("[" + std::to_string(k + 1) + "/" +
               std::to_string(units.size()) + "] " +
               result.files[units[k]].path + eta);
    }
    std::string cache = o.base.cacheDir;
    if (worker)
      cache += "/series-" + std::to_string(worker);
    SeriesFileResult &f = result.files[units[k]];
    if (llvm::Error err = buildOne(o, cache, f, batch[k], say))
      return err;
    // Each record is its own file, written whole and renamed into place:
    // no lock.
    if (llvm::Error err =
            records.save(fs::path(batch[k].work).filename().string(), f,
                         batch[k].change))
      return err;
    std::lock_guard<std::mutex> lock(mu);
    done++;
    return llvm::Error::success();
  });
}

// A group too wide to carry, or of headers no object includes: each
// header says why; each file that needs one says which.
static void leaveGroup(const SeriesCreateOptions &o, const HeaderGroup &g,
                       SeriesCreateResult &result) {
  size_t n = g.objects.size();
  std::string why = "#included by " +
                    plural(n, "object", "objects") +
                    " of this configuration, more than --series-header-"
                    "objects " + std::to_string(o.headerObjects);
  for (size_t h : g.headers) {
    SeriesFileResult &f = result.files[h];
    f.includers = n;
    f.fate = n ? SeriesFileResult::Header : SeriesFileResult::NotConfigured;
    f.why = n ? why : "";
  }
  if (!n)
    return;  // its files stay errors: the headers cannot be what they miss
  for (size_t i : g.files) {
    SeriesFileResult &f = result.files[i];
    f.fate = SeriesFileResult::NeedsHeader;
    f.why = result.files[g.headers.front()].path +
            (g.headers.size() > 1
                 ? " and " + plural(g.headers.size() - 1, "other", "others")
                 : "") +
            ", " + why;
  }
}

// The group's headers and files as one update, NUMBER in the series,
// after the updates already made that replace code in its objects.
using FileDiff = llvm::function_ref<llvm::Expected<std::string>(
    const std::string &path)>;

static llvm::Error carryGroup(const SeriesCreateOptions &o,
                              const HeaderGroup &g, unsigned number,
                              FileDiff diffOf, const SeriesRecords &records,
                              SeriesCreateResult &result,
                              const Progress &progress) {
  std::vector<size_t> members = g.headers;
  members.insert(members.end(), g.files.begin(), g.files.end());
  std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
    return result.files[a].path < result.files[b].path;
  });
  SeriesFileResult &lead = result.files[members.front()];
  std::string text;
  for (size_t m : members) {
    result.files[m].includers = g.objects.size();
    auto diff = diffOf(result.files[m].path);
    if (!diff)
      return diff.takeError();
    text += *diff;
  }
  char num[24];
  snprintf(num, sizeof num, "%03u", number);
  const std::string id = lead.id;
  std::string stem = std::string(num) + "-" + id;
  CreateOptions c = o.base;
  c.checkLayouts = true;
  c.jobs = o.base.jobs * o.workers;  // groups are built one at a time
  c.preCache = preCacheDir(o.base.cacheDir);  // the batch's, in its farm
  c.patchFile = o.outputDir + "/patches/" + stem + ".patch";
  if (!(std::ofstream(c.patchFile) << text))
    return fail("cannot write '" + c.patchFile + "'");
  std::set<std::string> objects;
  for (const ObjectChoice &oc : g.objects)
    objects.insert(oc.object);
  for (size_t k : result.order)
    if (llvm::any_of(result.files[k].objects,
                     [&](const std::string &x) { return objects.count(x); }))
      c.afterPatches.push_back(result.files[k].patch);
  c.id = id;
  c.description = "series " + o.to + ": " + lead.path +
                  (members.size() > 1 ? " and " +
                                            plural(members.size() - 1,
                                                   "other file", "other files")
                                      : "");
  c.output = o.outputDir + "/" + stem + ".tar.gz";
  progress("[" + std::to_string(number) + "] " + lead.path + " (" +
           plural(members.size(), "file", "files") + ", " +
           plural(g.objects.size(), "object", "objects") + ", after " +
           plural(c.afterPatches.size(), "update", "updates") + ")");
  lead.patch = c.patchFile;
  std::vector<std::string> paths;
  for (size_t m : members)
    paths.push_back(result.files[m].path);
  std::string change = changeDigest(text);
  if (records.restore(stem, lead, change, paths)) {
    progress("[" + std::to_string(number) + "] " + lead.path +
             ": built by an earlier run");
  } else {
    lead.why.clear();  // a file's error alone is not the group's
    lead.replaced = lead.refusedFunctions = 0;
    lead.objects.clear();
    lead.byObject.clear();
    auto res = createUpdate(c, progress);
    if (!res) {
      lead.fate = SeriesFileResult::Error;
      lead.why = oneLine(llvm::toString(res.takeError()));
    } else {
      classify(lead, *res);
    }
    if (lead.fate == SeriesFileResult::Update)
      lead.package = fs::path(c.output).filename().string();
    if (auto err = records.save(stem, lead, change, paths))
      return err;
  }
  if (lead.fate == SeriesFileResult::Update)
    result.order.push_back(members.front());
  for (size_t m : llvm::drop_begin(members)) {
    SeriesFileResult &f = result.files[m];
    f.fate = lead.fate;
    f.why = "with " + lead.path;
  }
  return llvm::Error::success();
}

// Step 5 (series.h): the headers, grouped in worker 0's farm, then each
// group carried or left, numbered after the NUMBERED updates of step 3.
static llvm::Error carryHeaders(const SeriesCreateOptions &o,
                                const std::string &release, unsigned numbered,
                                const SeriesRecords &records,
                                SeriesCreateResult &result,
                                const Progress &progress) {
  if (llvm::none_of(result.files, [](const SeriesFileResult &f) {
        return f.fate == SeriesFileResult::Header;
      }))
    return llvm::Error::success();
  std::vector<HeaderGroup> groups;
  std::map<std::string, std::string> diffs;  // path -> its diff, made once
  auto diffOf = [&](const std::string &path) -> llvm::Expected<std::string> {
    auto it = diffs.find(path);
    if (it != diffs.end())
      return it->second;
    auto d = fileDiff(o, path);
    if (!d)
      return d.takeError();
    return diffs[path] = std::move(*d);
  };
  {
    CacheLock lock;
    if (auto err = lock.acquire(o.base.cacheDir, progress))
      return err;
    BuildTree tree(treeOptions(o.base, release), progress);
    if (auto err = tree.sync())
      return err;
    auto graph = scanIncludeGraph(tree.root(),
                                  o.base.cacheDir + "/include-graph",
                                  o.base.source, o.base.jobs, progress);
    if (!graph)
      return graph.takeError();
    // What the new versions of the files that failed include.
    std::optional<IncludeGraph> later;
    if (llvm::any_of(result.files, [](const SeriesFileResult &f) {
          return f.fate == SeriesFileResult::Error;
        })) {
      auto l = scanIncludeGraph(o.newSource,
                                o.base.cacheDir + "/include-graph-later",
                                o.newSource, o.base.jobs, progress);
      if (!l)
        return l.takeError();
      later = std::move(*l);
    }
    HeaderDiff diff = [&](const std::string &path) {
      auto d = diffOf(path);
      if (!d) {
        llvm::consumeError(d.takeError());
        return std::string();
      }
      return *d;
    };
    auto g = groupHeaders(result, tree.configured(), *graph,
                          later ? *later : *graph, diff, o.headerObjects,
                          o.base.jobs);
    if (!g)
      return g.takeError();
    groups = std::move(*g);
  }
  for (const HeaderGroup &g : groups) {
    if (g.objects.empty() || g.objects.size() > o.headerObjects) {
      leaveGroup(o, g, result);
      continue;
    }
    if (auto err =
            carryGroup(o, g, ++numbered, diffOf, records, result, progress))
      return err;
  }
  return llvm::Error::success();
}

llvm::Expected<SeriesCreateResult>
createSeries(const SeriesCreateOptions &opts, const Progress &progress) {
  SeriesCreateOptions o = opts;
  std::error_code ec;
  // The farm's scripts run make elsewhere: its paths must be absolute.
  o.base.cacheDir =
      fs::absolute(o.base.cacheDir, ec).lexically_normal().string();
  if (o.from.empty())
    o.from = fs::path(o.base.source).lexically_normal().filename().string();
  if (o.to.empty())
    o.to = fs::path(o.newSource).lexically_normal().filename().string();
  fs::create_directories(o.outputDir + "/patches", ec);
  if (ec)
    return fail("cannot create '" + o.outputDir + "': " + ec.message());

  progress("comparing " + o.base.source + " and " + o.newSource);
  auto paths = changedFiles(o.base.source, o.newSource);
  if (!paths)
    return paths.takeError();
  SeriesCreateResult result;
  Series series;
  series.from = o.from;
  series.to = o.to;
  auto release = targetRelease(o.base.headers);
  if (!release)
    return release.takeError();
  series.kernelRelease = *release;

  std::vector<size_t> units;  // indexes of the .c files in result.files
  std::vector<std::string> ids = seriesUpdateIds(*paths);
  for (size_t i = 0; i < paths->size(); i++) {
    const std::string &p = (*paths)[i];
    SeriesFileResult f;
    f.path = p;
    f.id = ids[i];
    llvm::StringRef ext = llvm::StringRef(p).rsplit('.').second;
    f.fate = ext == "h"   ? SeriesFileResult::Header
             : ext != "c" ? SeriesFileResult::NotC
                          : SeriesFileResult::Error;
    if (ext == "c")
      units.push_back(result.files.size());
    result.files.push_back(std::move(f));
  }
  progress(std::to_string(paths->size()) + " files differ, " +
           std::to_string(units.size()) + " of them .c files, built by " +
           std::to_string(o.workers) + " worker" +
           (o.workers == 1 ? "" : "s"));
  auto batch = prepareBatch(o, units, result);
  if (!batch)
    return batch.takeError();
  size_t saved = 0;
  auto records = SeriesRecords::open(o, saved);
  if (!records)
    return records.takeError();
  std::vector<size_t> todo;  // the files no earlier run built
  std::vector<BatchFile> todoBatch;
  for (size_t k = 0; k < units.size(); k++)
    if (!records->restore(fs::path((*batch)[k].work).filename().string(),
                          result.files[units[k]], (*batch)[k].change)) {
      todo.push_back(units[k]);
      todoBatch.push_back(std::move((*batch)[k]));
    }
  if (o.resume)
    progress("resuming: " + std::to_string(units.size() - todo.size()) +
             " of " + std::to_string(units.size()) +
             " .c files built by an earlier run (" + std::to_string(saved) +
             " results saved)");
  if (!todo.empty())
    if (auto err = compileOnce(o, todoBatch, *release, *records, progress))
      return std::move(err);
  if (auto err = buildUnits(o, todo, todoBatch, *records, result, progress))
    return std::move(err);
  for (size_t i : units)
    if (result.files[i].fate == SeriesFileResult::Update)
      result.order.push_back(i);
  if (auto err = carryHeaders(o, *release, unsigned(units.size()), *records,
                              result, progress))
    return std::move(err);
  for (size_t i : result.order) {
    const SeriesFileResult &f = result.files[i];
    auto digest = sha256File(o.outputDir + "/" + f.package);
    if (!digest)
      return fail(digest.message());
    series.updates.push_back({f.id, f.package, *digest});
  }
  result.index = o.outputDir + "/" + kSeriesIndexName;
  result.report = o.outputDir + "/report.txt";
  std::ofstream(result.report) << reportText(o, result);
  if (series.updates.empty())
    return result;  // no index: nothing to apply
  std::ofstream(result.index) << formatSeries(series);
  return result;
}

} // namespace ksplice
