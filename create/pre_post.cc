//===- pre_post.cc - The objects a patch changes, compiled before and after ===//
#include "pre_post.h"

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
    progress("compiling " + listObjects(compiled) + " (pre)");
    std::vector<std::string> notBuilt;
    llvm::Error err = tree.compile(compiled, in.work + "/pre", mayFail,
                                   &notBuilt);
    if (!notBuilt.empty()) {
      progress("not built in this configuration after all: " +
               listObjects(notBuilt));
      llvm::erase_if(plan.objects, [&](const ObjectChoice &o) {
        return llvm::is_contained(notBuilt, o.object);
      });
    }
    if (err)
      return err;
    narrowObjects(plan, tree.root(), progress);
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

  BuildTree &tree;
  const PrePostInputs &in;
  const Progress &progress;
  std::vector<TouchedFile> touched;   // reverted at the end
  std::vector<std::string> compiled;  // the planned objects, to revert
  std::optional<IncludeGraph> graph;
  PrePost out;
};
} // namespace

llvm::Expected<PrePost> buildPrePost(BuildTree &tree, const PrePostInputs &in,
                                     const Progress &progress) {
  return PrePostBuild(tree, in, progress).run();
}

} // namespace ksplice
