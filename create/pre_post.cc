//===- pre_post.cc - The objects a patch changes, compiled before and after ===//
#include "pre_post.h"
#include "dep_file.h"
#include "error.h"
#include "pre_cache.h"

#include "sha256.h"

#include "llvm/ADT/StringExtras.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace ksplice {

static std::vector<std::string> namesOf(const ObjectPlan &plan) {
  std::vector<std::string> v;
  for (const ObjectChoice &o : plan.objects)
    v.push_back(o.object);
  return v;
}

// (pre_post.h)
llvm::Error saveSymbolVersions(const BuildTree &tree,
                               const std::vector<std::string> &objects,
                               const std::string &outDir) {
  for (const std::string &o : objects) {
    fs::path obj(o);
    fs::path cmd = fs::path(tree.root()) / obj.parent_path() /
                   ("." + obj.filename().string() + ".cmd");
    std::ifstream in(cmd);
    std::ofstream out(outDir + "/" + o + ".symvers");
    for (std::string line; std::getline(in, line);)
      if (llvm::StringRef(line).startswith("#SYMVER "))
        out << line << "\n";
    if (!out)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "cannot write '" + outDir + "/" + o +
                                         ".symvers'");
  }
  return llvm::Error::success();
}

namespace {
// One run of step 3 over a synced tree.  Each step runs only if the ones
// before succeeded; run() reverts the tree whatever happened.
class PrePostBuild {
public:
  PrePostBuild(BuildTree &tree, const PrePostInputs &in,
               const Progress &progress)
      : tree(tree), in(in), progress(progress), touched(in.files) {}

  llvm::Expected<PrePost> run() {
    llvm::Error err = applyAfterPatches();
    if (!err)
      err = plan();
    compiled = namesOf(out.plan);
    if (!err && out.plan.refusals.empty() && !out.plan.objects.empty())
      err = compileBothSides();
    else
      out.plan.objects.clear(); // nothing built, nothing to compare
    if (auto restored = tree.restore(std::move(err), touched, compiled))
      return std::move(restored);
    return std::move(out);
  }

private:
  // Patches live on the target before this one: part of "pre", and seen
  // by the include graph.
  llvm::Error applyAfterPatches() {
    for (const PrePostInputs::AfterPatch &after : in.afterPatches) {
      auto files = parsePatch(after.text);
      if (!files)
        return files.takeError();
      touched.insert(touched.end(), files->begin(), files->end());
      afterFiles.insert(afterFiles.end(), files->begin(), files->end());
      out.afterDigests.push_back(sha256Hex(after.text));
      progress("applying " + after.path + " (already on the target)");
      if (auto err = tree.applyPatch(after.text, *files))
        return err;
    }
    return llvm::Error::success();
  }

  // The include graph, scanned on first use (a patch of configured .c
  // files never needs it).
  llvm::Expected<const IncludeGraph *> includeGraph() {
    if (!graph) {
      auto g = scanIncludeGraph(tree.root(), in.cacheDir + "/include-graph",
                                in.source, in.jobs,
                                progress);
      if (!g)
        return g.takeError();
      graph = std::move(*g);
    }
    return &*graph;
  }

  llvm::Error plan() {
    auto p = planObjects(in.kinds, tree.configured(),
                         [this] { return includeGraph(); }, in.jobs, progress);
    if (!p)
      return p.takeError();
    out.plan = std::move(*p);
    return llvm::Error::success();
  }

  // Pre; the objects the graph only guessed may fail to build (dropped);
  // the patch; post.  A patch that changes the structure offsets kbuild
  // generates for assembly code is refused.
  llvm::Error compileBothSides() {
    ObjectPlan &plan = out.plan;
    std::set<std::string> mayFail;
    for (const ObjectChoice &o : plan.objects)
      if (!o.certain)
        mayFail.insert(o.object);
    std::vector<std::string> fresh;
    if (auto err = takeKept(fresh))
      return err;
    std::vector<std::string> notBuilt;
    llvm::Error err = llvm::Error::success();
    if (!fresh.empty()) {
      progress("compiling " + listObjects(fresh) + " (pre)");
      err = tree.compile(fresh, in.work + "/pre", mayFail, &notBuilt);
    }
    if (!err)
      err = keepFresh(fresh, notBuilt);
    if (!notBuilt.empty()) {
      progress("not built in this configuration after all: " +
               listObjects(notBuilt));
      llvm::erase_if(plan.objects, [&](const ObjectChoice &o) {
        return llvm::is_contained(notBuilt, o.object);
      });
    }
    if (err)
      return err;
    narrowObjects(
        plan,
        [&](const std::string &o) -> std::optional<std::vector<std::string>> {
          auto k = kept.find(o);
          if (k != kept.end())
            return k->second;
          return readDepFile(tree.root(), o);
        },
        progress);
    if (plan.objects.empty())
      return llvm::Error::success();
    std::map<std::string, std::string> layout = tree.layoutHeaders();
    progress("applying " + in.patchFile);
    if (auto err = tree.applyPatch(in.patch, in.files))
      return err;
    std::vector<std::string> names = namesOf(plan);
    progress("compiling " + listObjects(names) + " (post)");
    if (auto err = tree.compile(names, in.work + "/post"))
      return err;
    if (auto err = saveSymbolVersions(tree, names, in.work + "/post"))
      return err;
    for (auto &[header, text] : tree.layoutHeaders())
      if (text != layout[header])
        plan.refusals.push_back(
            {header, "the patch changes the structure offsets kbuild "
                     "generates for assembly code: a change to the layout "
                     "of kernel data cannot be hot patched"});
    return llvm::Error::success();
  }

  // The planned objects kept in the cache from a compile with the same
  // inputs (none of afterFiles read) go to WORK/pre; FRESH gets the rest.
  llvm::Error takeKept(std::vector<std::string> &fresh) {
    if (!in.preCache.empty()) {
      auto c = PreCache::open(in.preCache, tree.configurationKey(),
                              tree.root());
      if (!c)
        return c.takeError();
      cache.emplace(std::move(*c));
    }
    for (const std::string &o : compiled) {
      auto reads = cache ? cache->reads(o) : std::nullopt;
      if (!reads || !unchangedBy(afterFiles, *reads)) {
        fresh.push_back(o);
        continue;
      }
      if (auto err = linkFile(cache->path(o), in.work + "/pre/" + o))
        return err;
      kept[o] = std::move(*reads);
    }
    if (!kept.empty())
      progress("taking " + plural(kept.size(), "object", "objects") +
               " before the changes from " + cache->dir() + " (" +
               std::to_string(fresh.size()) + " to compile)");
    return llvm::Error::success();
  }

  // The objects of FRESH just compiled whose inputs the --after patches
  // did not change, into the cache for later builds.
  llvm::Error keepFresh(const std::vector<std::string> &fresh,
                        const std::vector<std::string> &notBuilt) {
    if (!cache)
      return llvm::Error::success();
    for (const std::string &o : fresh) {
      if (llvm::is_contained(notBuilt, o))
        continue;
      auto reads = readInputs(tree.root(), o, tree.root());
      if (!reads || !unchangedBy(afterFiles, *reads))
        continue;
      if (auto err = cache->keep(o, in.work + "/pre/" + o))
        return err;
    }
    return llvm::Error::success();
  }

  BuildTree &tree;
  const PrePostInputs &in;
  const Progress &progress;
  std::vector<TouchedFile> touched;   // reverted at the end
  std::vector<std::string> compiled;  // the planned objects, to revert
  std::optional<IncludeGraph> graph;
  std::vector<TouchedFile> afterFiles;  // what the --after patches touch
  std::optional<PreCache> cache;        // in.preCache, when given
  std::map<std::string, std::vector<std::string>> kept; // taken: its reads
  PrePost out;
};
} // namespace

llvm::Expected<PrePost> buildPrePost(BuildTree &tree, const PrePostInputs &in,
                                     const Progress &progress) {
  return PrePostBuild(tree, in, progress).run();
}

} // namespace ksplice
