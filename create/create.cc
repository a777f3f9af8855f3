//===- create.cc - ksplice-create: from a source patch to an update -------===//
#include "create.h"
#include "process.h"

#include "diff.h"
#include "patch_writer.h"
#include "symvers.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::StringRef;

static llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 msg.str().c_str());
}

static llvm::Expected<std::string> readFile(const std::string &path,
                                            const char *what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(llvm::Twine("cannot read ") + what + " '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string defaultId(StringRef patch) {
  llvm::SHA256 h;
  h.update(patch);
  return "p" + llvm::toHex(h.final(), true).substr(0, 8);
}

bool validId(StringRef id) {
  auto lowerOrDigit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (id.empty() || id.size() > 40 || !lowerOrDigit(id[0]))
    return false;
  return llvm::all_of(id, [&](char c) {
    return lowerOrDigit(c) || c == '_' || c == '-';
  });
}

// The objects a patch affects.  A .c file is its own object; anything
// else the kernel is built from cannot be hot patched by replacing
// functions, or is not supported yet.
static llvm::Expected<std::vector<std::string>>
objectsFor(const std::vector<TouchedFile> &files,
           std::vector<Refused> &refusals) {
  std::vector<std::string> objects;
  for (const TouchedFile &f : files) {
    StringRef p(f.path);
    if (p.endswith(".c") && f.kind == TouchedFile::Modified) {
      objects.push_back(p.drop_back(2).str() + ".o");
      continue;
    }
    if (p.endswith(".c"))
      refusals.push_back({"", "", f.path,
                          f.kind == TouchedFile::Added
                              ? "the patch adds a source file: a new "
                                "compilation unit cannot be hot patched"
                              : "the patch deletes a source file"});
    else if (p.endswith(".h"))
      return fail("the patch changes the header '" + f.path +
                  "': header changes are not supported yet; move the change "
                  "into the .c files that need it");
    else if (p.endswith(".S") || p.endswith(".s"))
      refusals.push_back({"", "", f.path,
                          "assembly files are not compiled with function "
                          "sections and cannot be hot patched"});
    else
      refusals.push_back({"", "", f.path,
                          "a change to a build file (Makefile, Kconfig, ...) "
                          "cannot be hot patched"});
  }
  return objects;
}

// Diffs one unit and, when it changed, writes its patch object.
static llvm::Error diffUnit(const std::string &object,
                            const std::string &target,
                            const std::string &work, const Exports &exports,
                            CreateResult &result) {
  std::string pre = work + "/pre/" + object, post = work + "/post/" + object;
  auto preObj = ObjectFile::open(pre);
  if (!preObj)
    return preObj.takeError();
  auto postObj = ObjectFile::open(post);
  if (!postObj)
    return postObj.takeError();
  auto diff = diffObjects(**preObj, **postObj, exports);
  if (!diff)
    return diff.takeError();
  const Diff &d = **diff;

  UnitResult u{object, target, toString(d.verdict), d.changedFunctions,
               d.newFunctions, d.removedFunctions, d.newData};
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
  return llvm::Error::success();
}

llvm::Expected<CreateResult> createUpdate(CreateOptions opts,
                                          const Progress &progress) {
  CreateResult result;

  // 1. The patch and what it touches.
  auto patch = readFile(opts.patchFile, "the patch");
  if (!patch)
    return patch.takeError();
  auto files = parsePatch(*patch);
  if (!files)
    return files.takeError();
  auto objects = objectsFor(*files, result.refusals);
  if (!objects)
    return objects.takeError();
  if (!result.refusals.empty()) {
    result.outcome = CreateResult::Unpatchable;
    return result;
  }
  result.id = opts.id.empty() ? defaultId(*patch) : opts.id;
  if (!validId(result.id))
    return fail("'" + result.id +
                "' cannot be an update id: use lower-case letters, digits, "
                "'-' and '_', at most 40 characters");

  auto release = readFile(opts.headers + "/include/config/kernel.release",
                          "the target's release");
  if (!release)
    return release.takeError();
  std::string rel = StringRef(*release).trim().str();
  auto exports = readSymvers(opts.headers + "/Module.symvers");
  if (!exports)
    return exports.takeError();

  // 2. The build farm.
  BuildTree tree({opts.source, opts.config, rel, opts.cacheDir + "/farm",
                  opts.jobs},
                 progress);
  if (auto err = tree.sync())
    return err;

  // 3. Pre and post objects.  The patch is reverted whatever happens.
  std::string work = opts.cacheDir + "/work/" + result.id;
  std::error_code ec;
  fs::remove_all(work, ec);
  progress("compiling " + llvm::join(*objects, " ") + " (pre)");
  if (auto err = tree.compile(*objects, work + "/pre"))
    return err;
  progress("applying " + opts.patchFile);
  llvm::Error post = tree.applyPatch(*patch, *files);
  if (!post) {
    progress("compiling " + llvm::join(*objects, " ") + " (post)");
    post = tree.compile(*objects, work + "/post");
  }
  llvm::Error reverted = tree.revert(*files, *objects);
  if (post) {
    llvm::consumeError(std::move(reverted));
    return post;
  }
  if (reverted)
    return reverted;

  // 4. Diff.
  for (const std::string &o : *objects) {
    progress("comparing " + o);
    if (auto err = diffUnit(o, tree.targetOf(o), work, *exports, result))
      return err;
  }
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
  result.outcome = CreateResult::Made;
  return result;
}

} // namespace ksplice
