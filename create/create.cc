//===- create.cc - ksplice-create: from a source patch to an update -------===//
#include "create.h"
#include "split_section.h"
#include "error.h"
#include "affected_objects.h"
#include "data_layout.h"
#include "cache_lock.h"
#include "pre_post.h"
#include "update_package.h"
#include "process.h"

#include "diff.h"
#include "patch_writer.h"
#include "special_sections.h"
#include "symvers.h"

#include "sha256.h"
#include "update_id.h"

#include "llvm/ADT/StringExtras.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::StringRef;

static bool sameBytes(const std::string &a, const std::string &b) {
  std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
  std::stringstream sx, sy;
  sx << x.rdbuf();
  sy << y.rdbuf();
  return x && y && sx.str() == sy.str();
}

// The global functions and data a unit's patch adds.  Another unit of the
// same update that uses one must reach it inside the patch module (an
// ordinary relocation the module link resolves), not through kallsyms,
// where it does not exist, or worse, is an unrelated same-named static.
static llvm::Error collectNewGlobals(const std::string &object,
                                     const std::string &target,
                                     const std::string &work,
                                     const Exports &exports,
                                     std::set<std::string> &globals) {
  auto preObj =
      openUnitObject(work + "/pre/" + object, target, "pre/" + object);
  if (!preObj)
    return preObj.takeError();
  auto postObj =
      openUnitObject(work + "/post/" + object, target, "post/" + object);
  if (!postObj)
    return postObj.takeError();
  auto diff = diffObjects(**preObj, **postObj, exports, target);
  if (!diff)
    return diff.takeError();
  std::set<std::string> added((*diff)->newFunctions.begin(),
                              (*diff)->newFunctions.end());
  added.insert((*diff)->newData.begin(), (*diff)->newData.end());
  for (const Symbol &s : (*postObj)->symbols())
    if (s.isDefined() && !s.isLocal() && added.count(s.name))
      globals.insert(s.name);
  return llvm::Error::success();
}

// Diffs one unit and, when it changed, writes its patch object.
static llvm::Error diffUnit(const std::string &object,
                            const std::string &target,
                            const std::string &work, const Exports &exports,
                            CreateResult &result) {
  std::string pre = work + "/pre/" + object, post = work + "/post/" + object;
  auto preObj = openUnitObject(pre, target, "pre/" + object);
  if (!preObj)
    return preObj.takeError();
  auto postObj = openUnitObject(post, target, "post/" + object);
  if (!postObj)
    return postObj.takeError();
  auto diff = diffObjects(**preObj, **postObj, exports, target);
  if (!diff)
    return diff.takeError();
  const Diff &d = **diff;

  UnitResult u;
  u.object = object;
  u.target = target;
  u.verdict = toString(d.verdict);
  u.changed = d.changedFunctions;
  u.added = d.newFunctions;
  u.removed = d.removedFunctions;
  u.newData = d.newData;
  u.changedData = d.changedData;
  u.newExports = d.newExports;
  u.removedExports = d.removedExports;
  u.loadTimeSymbols = d.loadTimeSymbols;
  u.ignoredInit = d.ignoredInit;
  for (const Diff::Hook &h : d.hooks)
    u.hooks.push_back(hookKindName(h.kind).str() + " " +
                      (*postObj)->symbol(h.sym).name);
  result.units.push_back(u);
  for (const Refusal &r : d.refusals)
    result.refusals.push_back({object, r.symbol, r.section, r.reason});
  if (d.verdict != Verdict::Changed)
    return llvm::Error::success();

  PatchOptions popts;
  popts.unitName = object;
  popts.target = target;
  auto bytes = writePatch(d, popts);
  if (!bytes)
    return bytes.takeError();
  fs::path out = fs::path(work) / "patch" / (object + ".ksplice.o");
  fs::create_directories(out.parent_path());
  std::ofstream(out, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  if (d.newExports.empty())
    return llvm::Error::success();
  // The symbol versions (CONFIG_MODVERSIONS) of the new exports, which
  // modpost takes from the object's .cmd file (build-patch-module.sh).
  auto symvers = readFile(work + "/post/" + object + ".symvers",
                          "the symbol versions of the post object");
  if (!symvers)
    return symvers.takeError();
  std::ofstream versions(out.string() + ".symvers");
  for (StringRef line : llvm::split(*symvers, '\n')) {
    StringRef rest = line;
    if (rest.consume_front("#SYMVER ") &&
        llvm::is_contained(d.newExports, rest.split(' ').first))
      versions << line.str() << "\n";
  }
  return llvm::Error::success();
}

// Diffs every unit, once every unit's new globals are known: a reference
// from one unit to a global another one adds is resolved inside the patch
// module, so an update of several units diffs each twice (milliseconds,
// against most of a second to compile it).  A linker script (a header may
// reach one) cannot change.
static llvm::Error diffUnits(const std::vector<ObjectChoice> &objects,
                             const std::string &work, const Exports &exports,
                             CreateResult &result, const Progress &progress) {
  Exports linkable = exports;
  if (objects.size() > 1) {
    std::set<std::string> globals;
    for (const ObjectChoice &o : objects)
      if (!o.linkerScript)
        if (auto err = collectNewGlobals(o.object, o.target, work, exports,
                                         globals))
          return err;
    if (linkable.known)
      linkable.names.insert(globals.begin(), globals.end());
  }
  if (objects.size() > 8) {
    std::vector<std::string> names;
    for (const ObjectChoice &o : objects)
      names.push_back(o.object);
    progress("comparing " + listObjects(names));
  }
  for (const ObjectChoice &o : objects) {
    if (o.linkerScript) {
      if (!sameBytes(work + "/pre/" + o.object, work + "/post/" + o.object))
        result.refusals.push_back(
            {"", "", o.object,
             "the patch changes the linker script (through a header it "
             "includes): the kernel's layout cannot be hot patched"});
      continue;
    }
    if (objects.size() <= 8)
      progress("comparing " + o.object);
    if (auto err = diffUnit(o.object, o.target, work, linkable, result))
      return err;
  }
  return llvm::Error::success();
}

// A series' rule (data_layout.h): no object may see a structure or union
// change its layout.  One refusal per object, naming the first type.
static llvm::Error checkLayouts(const std::vector<ObjectChoice> &objects,
                                const std::string &work,
                                CreateResult &result) {
  for (const ObjectChoice &o : objects) {
    if (o.linkerScript)
      continue;
    auto changed = changedLayouts(work + "/pre/" + o.object,
                                  work + "/post/" + o.object);
    if (!changed)
      return changed.takeError();
    if (changed->empty())
      continue;
    std::string more =
        changed->size() > 1
            ? " and " + std::to_string(changed->size() - 1) + " other types"
            : "";
    result.refusals.push_back(
        {o.object, changed->front(), "debug information",
         std::string("the change alters the ") +
             (StringRef(changed->front()).startswith("enum ") ? "values"
                                                              : "layout") +
             " of '" + changed->front() + "'" + more +
             ", which instances in the running kernel have: a series does "
             "not carry it; make this fix by hand (a new field as shadow "
             "data, docs/patch-author.md)"});
  }
  return llvm::Error::success();
}

// "Subject:" of a mailed patch, else the files it changes.
static std::string describePatch(StringRef patch,
                                 const std::vector<TouchedFile> &files) {
  for (StringRef rest = patch; !rest.empty();) {
    StringRef line;
    std::tie(line, rest) = rest.split('\n');
    if (line.consume_front("Subject: "))
      return line.trim().str();
  }
  std::vector<std::string> paths;
  for (const TouchedFile &f : files)
    paths.push_back(f.path);
  return "patch to " + llvm::join(paths, ", ");
}

static llvm::Error buildPackage(const CreateOptions &opts, StringRef patch,
                                const std::vector<TouchedFile> &files,
                                const std::vector<std::string> &afterDigests,
                                const std::string &work, CreateResult &result,
                                const Progress &progress) {
  PackageSpec spec;
  spec.id = result.id;
  spec.description = opts.description.empty() ? describePatch(patch, files)
                                               : opts.description;
  spec.headers = opts.headers;
  spec.cacheDir = opts.cacheDir;
  spec.dataDir = opts.dataDir;
  spec.klpConvert = opts.klpConvert;
  spec.signing = opts.signing;
  spec.workDir = work + "/pkg";
  result.package =
      opts.output.empty() ? "ksplice-" + result.id + ".tar.gz" : opts.output;
  spec.output = result.package;
  spec.patchText = patch.str();
  spec.after = afterDigests;
  for (const UnitResult &u : result.units) {
    if (u.verdict != "changed")
      continue;
    spec.patchObjects.push_back(work + "/patch/" + u.object + ".ksplice.o");
    spec.units.push_back({u.target, u.object});
    for (const std::string &f : u.changed)
      spec.functions.push_back({u.object, f});
    for (const std::string &f : u.added)
      spec.newFunctions.push_back({u.object, f});
  }
  return buildUpdatePackage(spec, progress);
}

TreeOptions treeOptions(const CreateOptions &opts,
                        const std::string &release) {
  return {opts.source, opts.config, release, targetPackageId(opts.headers),
          opts.cacheDir + "/farm", opts.jobs,
          {opts.dataDir + "/loader-kmod/include"}};
}

// Steps 2 and 3: the farm synced, the objects compiled before and after
// the patch into WORK (emptied first).
static llvm::Expected<PrePost>
compilePrePost(const CreateOptions &opts, const std::string &patch,
               const std::vector<TouchedFile> &files, const PatchFiles &kinds,
               const std::string &release, const std::string &work,
               const Progress &progress) {
  BuildTree tree(treeOptions(opts, release), progress);
  if (auto err = tree.sync())
    return std::move(err);
  std::error_code ec;
  fs::remove_all(work, ec);
  PrePostInputs in{opts.patchFile, patch, files, kinds, {},
                   work, opts.cacheDir, opts.source, opts.jobs,
                   opts.preCache};
  for (const std::string &after : opts.afterPatches) {
    auto text = readFile(after, "the --after patch");
    if (!text)
      return text.takeError();
    in.afterPatches.push_back({after, std::move(*text)});
  }
  return buildPrePost(tree, in, progress);
}

llvm::Expected<CreateResult> createUpdate(CreateOptions opts,
                                          const Progress &progress) {
  CreateResult result;
  // The helper scripts run make in other directories: every path they get
  // must be absolute.
  std::error_code ec;
  opts.cacheDir = fs::absolute(opts.cacheDir, ec).lexically_normal().string();
  if (!opts.output.empty())
    opts.output = fs::absolute(opts.output, ec).string();

  // 1. The patch and what it touches.
  auto patch = readFile(opts.patchFile, "the patch");
  if (!patch)
    return patch.takeError();
  auto files = parsePatch(*patch);
  if (!files)
    return files.takeError();
  PatchFiles kinds = classifyPatchFiles(*files);
  for (const std::string &n : kinds.notes)
    progress(n);
  for (const FileRefusal &r : kinds.refusals)
    result.refusals.push_back({"", "", r.file, r.reason});
  if (!result.refusals.empty()) {
    result.outcome = CreateResult::Unpatchable;
    return result;
  }
  result.id = opts.id.empty() ? defaultUpdateId(*patch) : opts.id;
  if (Status s = checkNewUpdateId(result.id); !s)
    return fail(s.message());

  auto release = targetRelease(opts.headers);
  if (!release)
    return release.takeError();
  const std::string &rel = *release;
  if (auto err = checkSigning(opts.signing, opts.headers))
    return std::move(err);
  auto exports = readSymvers(opts.headers + "/Module.symvers");
  if (!exports)
    return exports.takeError();

  // 2. The build farm, ours alone for this run.
  CacheLock lock;
  if (auto err = lock.acquire(opts.cacheDir, progress))
    return err;
  PrePost built;
  std::string work = opts.cacheDir + "/work/" + result.id;
  if (opts.prebuilt) {
    work = opts.prebuilt->work;
    built.plan.objects = opts.prebuilt->objects;
  } else {
    auto b = compilePrePost(opts, *patch, *files, kinds, rel, work, progress);
    if (!b)
      return b.takeError();
    built = std::move(*b);
  }
  for (const FileRefusal &r : built.plan.refusals)
    result.refusals.push_back({"", "", r.file, r.reason});

  // 4. Diff.
  if (auto err = diffUnits(built.plan.objects, work, *exports, result,
                           progress))
    return err;
  if (opts.checkLayouts)
    if (auto err = checkLayouts(built.plan.objects, work, result))
      return err;
  if (!result.refusals.empty()) {
    result.outcome = CreateResult::Unpatchable;
    return result;
  }
  bool changed = llvm::any_of(result.units, [](const UnitResult &u) {
    return u.verdict == "changed";
  });
  if (!changed) {
    result.outcome = CreateResult::NoChange;
    return result;
  }
  // 5. The modules, 6. the package.
  if (auto err = buildPackage(opts, *patch, *files, built.afterDigests, work,
                              result, progress))
    return err;
  result.outcome = CreateResult::Made;
  return result;
}

} // namespace ksplice
