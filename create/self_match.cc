//===- self_match.cc - Updates that replace nothing, for checking matching ===//
#include "self_match.h"
#include "split_section.h"
#include "error.h"
#include "cache_lock.h"
#include "create.h"
#include "parallel.h"
#include "update_package.h"

#include "diff.h"
#include "patch_writer.h"
#include "symvers.h"

#include "update_id.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

namespace fs = std::filesystem;

namespace ksplice {

unsigned SelfMatchResult::differing() const {
  return std::count_if(units.begin(), units.end(), [](const SelfMatchUnit &u) {
    return u.verdict != "no-change";
  });
}

namespace {
class Stopwatch {
public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }

private:
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
};
} // namespace

// The objects to check, sorted by (target, path) so that a package holds
// one target; guesses (objects of directories whose Makefile is not read
// exactly) may fail to build.
static llvm::Expected<std::vector<std::pair<std::string, std::string>>>
chooseObjects(const SelfMatchOptions &opts, const ConfiguredObjects &conf,
              std::set<std::string> &mayFail) {
  std::set<std::pair<std::string, std::string>> chosen;
  std::set<std::string> targets(opts.targets.begin(), opts.targets.end());
  std::set<std::string> seen;
  for (auto &[object, k] : conf.objects())
    if (targets.count(k.target) && k.certain) {
      chosen.insert({k.target, object});
      seen.insert(k.target);
    }
  for (const std::string &t : targets)
    if (!seen.count(t))
      return fail("'" + t + "' is neither vmlinux nor a module of the "
                  "configured build");
  for (const std::string &o : opts.objects) {
    auto k = conf.lookup(o);
    if (!k)
      return fail("'" + o + "' is not an object of the configured build");
    if (!k->certain)
      mayFail.insert(o);
    chosen.insert({k->target, o});
  }
  return std::vector<std::pair<std::string, std::string>>(chosen.begin(),
                                                          chosen.end());
}

// Diffs one unit against its second compile (or itself) and writes the
// patch object of a "no change" diff: every pre section, no function.
static llvm::Error checkUnit(SelfMatchUnit &u, const std::string &work,
                             bool twice, const Exports &exports) {
  std::string pre = work + "/pre/" + u.object;
  std::string post = work + (twice ? "/post/" : "/pre/") + u.object;
  auto preObj = openUnitObject(pre, u.target, "pre/" + u.object);
  if (!preObj)
    return preObj.takeError();
  auto postObj =
      openUnitObject(post, u.target, (twice ? "post/" : "pre/") + u.object);
  if (!postObj)
    return postObj.takeError();
  auto diff = diffObjects(**preObj, **postObj, exports, u.target);
  if (!diff)
    return diff.takeError();
  const Diff &d = **diff;
  u.verdict = toString(d.verdict);
  std::set<uint32_t> pres(d.preSections.begin(), d.preSections.end());
  u.preSections = pres.size();
  for (const Symbol &s : (*preObj)->symbols())
    if (s.isFunc() && s.isDefined() && pres.count(s.shndx))
      u.functions++;
  if (d.verdict != Verdict::NoChange) {
    std::vector<std::string> why;
    for (auto &[f, w] : d.why)
      why.push_back(f + ": " + w);
    for (const Refusal &r : d.refusals)
      why.push_back(r.section + " '" + r.symbol + "': " + r.reason);
    u.why = llvm::join(why, "; ");
    return llvm::Error::success();
  }
  PatchOptions popts;
  popts.unitName = u.object;
  popts.target = u.target;
  auto bytes = writePatch(d, popts);
  if (!bytes)
    return bytes.takeError();
  fs::path out = fs::path(work) / "patch" / (u.object + ".ksplice.o");
  fs::create_directories(out.parent_path());
  std::ofstream(out, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  u.patchBytes = bytes->size();
  return llvm::Error::success();
}

// Units in order, cut into packages of one target, at most BYTES of
// patch objects (a bigger unit is a package alone) and at most UNITS units.
static std::vector<std::vector<SelfMatchUnit *>>
groupPackages(std::vector<SelfMatchUnit> &units, uint64_t limit,
              unsigned maxUnits) {
  std::vector<std::vector<SelfMatchUnit *>> out;
  uint64_t bytes = 0;
  for (SelfMatchUnit &u : units) {
    if (u.verdict != "no-change")
      continue;
    if (out.empty() || out.back().front()->target != u.target ||
        bytes + u.patchBytes > limit ||
        (maxUnits && out.back().size() >= maxUnits)) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(&u);
    bytes += u.patchBytes;
  }
  return out;
}

static llvm::Error writeUnitList(const SelfMatchResult &r,
                                 const std::string &path) {
  std::ofstream out(path, std::ios::trunc);
  out << "# object\ttarget\tverdict\tfunctions\tpre-sections\tpatch-bytes"
         "\tpackage\n";
  for (const SelfMatchUnit &u : r.units)
    out << u.object << '\t' << u.target << '\t' << u.verdict << '\t'
        << u.functions << '\t' << u.preSections << '\t' << u.patchBytes
        << '\t' << (u.package.empty() ? "-" : u.package) << '\n';
  if (!out.flush())
    return fail("cannot write '" + path + "'");
  return llvm::Error::success();
}

// The package of GROUP, numbered N: its spec, and its line in the result.
static std::pair<PackageSpec, SelfMatchPackage>
planPackage(const SelfMatchOptions &opts, const std::string &work, size_t n,
            const std::vector<SelfMatchUnit *> &group) {
  char num[24];
  snprintf(num, sizeof num, "-%03zu", n);
  SelfMatchPackage p;
  p.id = opts.id + num;
  p.file = opts.outDir + "/" + p.id + ".tar.gz";
  p.target = group.front()->target;
  PackageSpec spec;
  spec.id = p.id;
  spec.headers = opts.headers;
  spec.cacheDir = opts.cacheDir;
  spec.dataDir = opts.dataDir;
  spec.klpConvert = opts.klpConvert;
  spec.workDir = work + "/pkg/" + p.id;
  spec.output = p.file;
  for (SelfMatchUnit *u : group) {
    u->package = p.id;
    p.units++;
    p.functions += u->functions;
    p.patchBytes += u->patchBytes;
    spec.patchObjects.push_back(work + "/patch/" + u->object + ".ksplice.o");
    spec.units.push_back({u->target, u->object});
    spec.patchText += u->object + "\n";
  }
  spec.description = "self-match of " + std::to_string(p.units) +
                     " units of " + p.target + " (" + group.front()->object +
                     " ...)";
  return {std::move(spec), std::move(p)};
}

// Builds the packages, opts.jobs at a time (a patch module's build is
// mostly one process).  The first is built alone: it builds the core
// module into the cache, which the others then find there.
static llvm::Error buildPackages(const SelfMatchOptions &opts,
                                 const std::string &work,
                                 SelfMatchResult &result,
                                 const Progress &progress) {
  auto groups =
      groupPackages(result.units, opts.packageBytes, opts.packageUnits);
  std::vector<PackageSpec> specs;
  for (size_t i = 0; i < groups.size(); i++) {
    auto [spec, p] = planPackage(opts, work, i + 1, groups[i]);
    specs.push_back(std::move(spec));
    result.packages.push_back(std::move(p));
  }
  if (specs.empty())
    return llvm::Error::success();
  if (auto err = buildUpdatePackage(specs[0], progress))
    return err;

  std::mutex mu; // protects calls to progress
  Progress say = [&](const std::string &line) {
    std::lock_guard<std::mutex> lock(mu);
    progress(line);
  };
  return forEachParallel(1, specs.size(), opts.jobs,
                         [&](size_t k, unsigned) {
                           return buildUpdatePackage(specs[k], say);
                         });
}

llvm::Expected<SelfMatchResult> selfMatch(SelfMatchOptions opts,
                                          const Progress &progress) {
  SelfMatchResult result;
  if (!isNewUpdateId(opts.id + "-000"))
    return fail("'" + opts.id +
                "' cannot prefix update ids: use lower-case letters, "
                "digits, '-' and '_', at most 36 characters");
  std::error_code ec;
  opts.cacheDir = fs::absolute(opts.cacheDir, ec).lexically_normal().string();
  opts.outDir = fs::absolute(opts.outDir, ec).lexically_normal().string();
  auto release = targetRelease(opts.headers);
  if (!release)
    return release.takeError();
  auto exports = readSymvers(opts.headers + "/Module.symvers");
  if (!exports)
    return exports.takeError();

  CacheLock lock;
  if (auto err = lock.acquire(opts.cacheDir, progress))
    return err;
  BuildTree tree({opts.source, opts.config, *release,
                  targetPackageId(opts.headers), opts.cacheDir + "/farm",
                  opts.jobs, {}},
                 progress);
  if (auto err = tree.sync())
    return err;
  std::set<std::string> mayFail;
  auto chosen = chooseObjects(opts, tree.configured(), mayFail);
  if (!chosen)
    return chosen.takeError();
  if (chosen->empty())
    return fail("no objects to check");
  std::vector<std::string> objects;
  for (auto &[target, object] : *chosen) {
    objects.push_back(object);
    result.units.push_back({object, target, "", "", 0, 0, 0, ""});
  }
  if (opts.listOnly)
    return result;

  // Compile, once or twice.
  std::string work = opts.cacheDir + "/work/" + opts.id;
  fs::remove_all(work, ec);
  Stopwatch compileTime;
  progress("compiling " + std::to_string(objects.size()) + " objects" +
           (opts.compileTwice ? " (first time)" : ""));
  if (auto err = tree.compile(objects, work + "/pre", mayFail,
                              &result.notBuilt))
    return err;
  if (!result.notBuilt.empty()) {
    progress("not built in this configuration after all: " +
             llvm::join(result.notBuilt, " "));
    llvm::erase_if(objects, [&](const std::string &o) {
      return llvm::is_contained(result.notBuilt, o);
    });
    llvm::erase_if(result.units, [&](const SelfMatchUnit &u) {
      return llvm::is_contained(result.notBuilt, u.object);
    });
  }
  if (opts.compileTwice) {
    progress("compiling " + std::to_string(objects.size()) +
             " objects (second time)");
    if (auto err = tree.compile(objects, work + "/post"))
      return err;
  }
  result.compileSeconds = compileTime.seconds();

  // The self-diff, and each unit's patch object.
  Stopwatch diffTime;
  progress("diffing " + std::to_string(result.units.size()) + " units");
  for (SelfMatchUnit &u : result.units)
    if (auto err = checkUnit(u, work, opts.compileTwice, *exports))
      return err;
  result.diffSeconds = diffTime.seconds();

  fs::create_directories(opts.outDir, ec);
  if (ec)
    return fail("cannot create '" + opts.outDir + "': " + ec.message());
  result.unitList = opts.outDir + "/" + opts.id + ".units";
  Stopwatch packageTime;
  if (opts.packages)
    if (auto err = buildPackages(opts, work, result, progress))
      return err;
  result.packageSeconds = packageTime.seconds();
  if (auto err = writeUnitList(result, result.unitList))
    return err;
  return result;
}

} // namespace ksplice
