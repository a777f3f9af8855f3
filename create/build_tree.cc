//===- build_tree.cc - ksplice-create's kernel build cache ----------------===//
#include "build_tree.h"
#include "error.h"
#include "kbuild_descent.h"
#include "process.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SHA256.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::createStringError;
using llvm::inconvertibleErrorCode;
using llvm::StringRef;

// Names that only a build produces: KERNEL_SRC holding any of them was
// configured or built in place, and the farm must not link to them (a
// compiler writing its output through a link would write the user's tree).
static bool isBuildOutput(const fs::path &rel) {
  std::string name = rel.filename().string();
  StringRef n(name);
  if (n == ".config" || n == "Module.symvers" || n == "vmlinux" ||
      n == "modules.order")
    return true;
  if (n.endswith(".o") || n.endswith(".ko") || n.endswith(".a") ||
      (n.startswith(".") && n.endswith(".cmd")))
    return true;
  std::string s = rel.generic_string();
  return StringRef(s).startswith("include/config/") ||
         StringRef(s).startswith("include/generated/");
}

static const char kPatchedStamp[] = ".ksplice-patched";
// Holds the digest of what the farm was prepared for (prepare()).
static const char kPreparedStamp[] = ".ksplice-prepared";

// The bytes of PATH, or "" when it cannot be read: a missing stamp or owner
// file means "not prepared", and a missing .config parses as no options.
static std::string contentsOrEmpty(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The farm entry for REL is a link to the source file, replacing whatever a
// previous (possibly interrupted) run left there.
llvm::Error BuildTree::link(const std::string &rel) {
  fs::path src = fs::path(opts.source) / rel, dst = fs::path(opts.farm) / rel;
  std::error_code ec;
  fs::file_status st = fs::symlink_status(dst, ec);
  if (fs::is_symlink(st) && fs::read_symlink(dst, ec) == src)
    return llvm::Error::success();
  if (fs::exists(st))
    fs::remove(dst, ec);
  fs::create_symlink(src, dst, ec);
  if (ec)
    return fail("cannot link '" + dst.string() + "': " + ec.message());
  return llvm::Error::success();
}

llvm::Error BuildTree::sync() {
  std::error_code ec;
  fs::path src = fs::absolute(opts.source, ec);
  if (!fs::is_regular_file(src / "Makefile") || !fs::is_directory(src / "kernel"))
    return fail("'" + opts.source + "' is not a kernel source tree");
  opts.source = src.string();
  // A farm mirrors one source tree: links and prepared output of another
  // (files it has and this one lacks, generated headers) must not leak
  // into this build, so a farm of another source is started afresh.
  std::string owner = opts.farm + "/.ksplice-source";
  if (fs::exists(owner) && contentsOrEmpty(owner) != opts.source) {
    progress("the cache's farm mirrors " + contentsOrEmpty(owner) +
             ": starting it afresh for " + opts.source);
    fs::remove_all(opts.farm, ec);
    if (ec)
      return fail("cannot remove '" + opts.farm + "': " + ec.message());
  }
  fs::create_directories(opts.farm, ec);
  if (ec)
    return fail("cannot create '" + opts.farm + "': " + ec.message());
  if (!fs::exists(owner))
    std::ofstream(owner) << opts.source;

  // An interrupted run may have left files built from patched sources.
  if (auto err = endPatched())
    return err;
  progress("syncing " + opts.farm + " with " + opts.source);
  unsigned files = 0;
  for (auto it = fs::recursive_directory_iterator(src, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      return fail("cannot read '" + opts.source + "': " + ec.message());
    fs::path rel = it->path().lexically_relative(src);
    if (it->is_directory()) {
      if (rel == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      fs::create_directories(fs::path(opts.farm) / rel, ec);
      continue;
    }
    if (isBuildOutput(rel))
      return fail("'" + opts.source + "' is not a clean source tree: it has '" +
                  rel.string() +
                  "'; give ksplice-create the unpacked source, not a "
                  "configured or built tree");
    if (auto err = link(rel.string()))
      return err;
    files++;
  }
  progress("source tree: " + std::to_string(files) + " files");
  return prepare();
}

// make in the farm: Debian's release string and package id, the target's
// compiler.  kbuild writes LINUX_PACKAGE_ID as " $(DISTRIBUTOR)
// $(DISTRIBUTION_VERSION)" for an official build, so any split of the id
// at a space gives it back.
std::vector<std::string> BuildTree::makeCommand() const {
  std::vector<std::string> argv = {"make", "-s",
                                   "-j" + std::to_string(opts.jobs),
                                   "KERNELRELEASE=" + opts.release};
  llvm::StringRef id = llvm::StringRef(opts.packageId).drop_front(
      llvm::StringRef(opts.packageId).startswith(" ") ? 1 : 0);
  if (!id.empty()) {
    auto [distributor, version] = id.split(' ');
    argv.push_back("DISTRIBUTION_OFFICIAL_BUILD=1");
    argv.push_back("DISTRIBUTOR=" + distributor.str());
    argv.push_back("DISTRIBUTION_VERSION=" + version.str());
  }
  if (!cc.empty())
    argv.push_back("CC=" + cc);
  return argv;
}

llvm::Error BuildTree::make(const std::vector<std::string> &args,
                            const std::string &what) {
  Command cmd;
  cmd.argv = makeCommand();
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.cwd = opts.farm;
  auto res = run(cmd);
  if (!res)
    return res.takeError();
  if (res->status != 0)
    return fail(what + " failed (" + describe(cmd) + " in " + opts.farm +
                "):\n" + tailLines(res->output, 25));
  return llvm::Error::success();
}

// Configured once per (config, release, source, compiler): a stamp holds
// their digest.  Prepared again when the farm's configuration is no longer
// the target's (the build tools changed since).
llvm::Error BuildTree::prepare() {
  std::string config = contentsOrEmpty(opts.config);
  if (config.empty())
    return fail("cannot read the kernel config '" + opts.config + "'");
  Kconfig target = parseKconfig(config);
  cc = kconfigCompiler(target);
  if (!cc.empty() && !llvm::sys::findProgramByName(cc))
    return fail("the target's kernel was built with '" + cc +
                "' (CONFIG_CC_VERSION_TEXT), which is not installed here: "
                "install it, to compile the same code");
  llvm::SHA256 h;
  h.update(config);
  h.update(opts.release);
  h.update(opts.source);
  h.update(cc);
  h.update("ksplice-farm-2");
  std::string digest = llvm::toHex(h.final(), true);
  std::string stamp = opts.farm + "/" + kPreparedStamp;

  bool fresh = contentsOrEmpty(stamp) != digest;
  if (!fresh) {
    std::vector<std::string> diffs = configDifferences(
        target, parseKconfig(contentsOrEmpty(opts.farm + "/.config")));
    if (!diffs.empty()) {
      progress("the farm's configuration is no longer the target's (" +
               diffs.front() + "): preparing it again");
      fresh = true;
    }
  }
  if (fresh) {
    progress("preparing the kernel tree (once per config)");
    std::error_code ec;
    fs::remove(stamp, ec);
    fs::copy_file(opts.config, opts.farm + "/.config",
                  fs::copy_options::overwrite_existing, ec);
    if (ec)
      return fail("cannot copy the config: " + ec.message());
    // Debian's config names signing and trusted-key files it does not ship.
    Command clear;
    clear.argv = {"./scripts/config", "--set-str", "SYSTEM_TRUSTED_KEYS", "",
                  "--set-str", "SYSTEM_REVOCATION_KEYS", "", "--disable",
                  "MODULE_SIG_ALL"};
    clear.cwd = opts.farm;
    auto res = run(clear);
    if (!res)
      return res.takeError();
    if (auto err = make({"olddefconfig"}, "configuring the kernel tree"))
      return err;
    std::vector<std::string> diffs = configDifferences(
        target, parseKconfig(contentsOrEmpty(opts.farm + "/.config")));
    if (!diffs.empty()) {
      if (diffs.size() > 8)
        diffs.resize(8);
      return fail("the kernel configuration here is not the target's after "
                  "'make olddefconfig' (Kconfig derives some symbols from "
                  "the build tools, and drops what depends on a missing "
                  "one):\n  " +
                  llvm::join(diffs, "\n  ") +
                  "\nbuild with the tools the target was built with (for "
                  "CONFIG_PAHOLE_VERSION, pahole: Debian's dwarves)");
    }
    if (auto err = make({"prepare", "modules_prepare"},
                        "preparing the kernel tree"))
      return err;
    std::ofstream(stamp) << digest;
  }

  kconfig = parseKconfig(contentsOrEmpty(opts.farm + "/.config"));
  configured_ = ConfiguredObjects::read(opts.farm, kconfig);
  return llvm::Error::success();
}

llvm::Error BuildTree::restore(llvm::Error result,
                               const std::vector<TouchedFile> &files,
                               const std::vector<std::string> &objects) {
  llvm::Error reverted = revert(files, objects);
  if (!reverted)
    reverted = endPatched();
  if (result) {
    llvm::consumeError(std::move(reverted));
    return result;
  }
  return reverted;
}

std::string BuildTree::configurationKey() const {
  return contentsOrEmpty(opts.farm + "/" + kPreparedStamp);
}

// The kernel's flags plus one section per function and object (what the
// differ compares), and our include directories.  -idirafter leaves the
// kernel's headers first, so no kernel header can be shadowed.
std::string BuildTree::kcflags() const {
  std::string flags = "KCFLAGS=-ffunction-sections -fdata-sections";
  for (const std::string &dir : opts.includeDirs)
    flags += " -idirafter " + dir;
  return flags;
}

llvm::Error BuildTree::compile(const std::vector<std::string> &objects,
                               const std::string &outDir,
                               const std::set<std::string> &mayFail,
                               std::vector<std::string> *notBuilt) {
  Command cmd;
  cmd.argv = makeCommand();
  cmd.argv.push_back(kcflags());
  bool tolerant = notBuilt && llvm::any_of(objects, [&](const std::string &o) {
                    return mayFail.count(o);
                  });
  if (tolerant)
    cmd.argv.push_back("-k"); // build the others when a guess fails
  std::error_code ec;
  for (const std::string &o : objects)
    fs::remove(fs::path(opts.farm) / o, ec); // rebuilt from the sources now
  // Not `make OBJECT`: kbuild's single-target build may compile an object
  // in two directories at once (kbuild_descent.h).
  auto goal = writeDescent(planDescent(configured_, objects), opts.farm);
  if (!goal)
    return goal.takeError();
  cmd.argv.insert(cmd.argv.end(), goal->begin(), goal->end());
  cmd.cwd = opts.farm;
  auto res = run(cmd);
  if (!res)
    return res.takeError();
  std::vector<std::string> missing;
  for (const std::string &o : objects)
    if (!fs::exists(fs::path(opts.farm) / o))
      missing.push_back(o);
  bool onlyGuesses = tolerant && llvm::all_of(missing, [&](const std::string &o) {
                       return mayFail.count(o);
                     });
  if ((res->status != 0 || !missing.empty()) && !onlyGuesses) {
    std::string what = objects.size() <= 8
                           ? llvm::join(objects, ", ")
                           : std::to_string(objects.size()) + " objects";
    return fail("compiling " + what + " failed (" +
                (objects.size() <= 8 ? describe(cmd) : std::string("make")) +
                " in " + opts.farm + "):\n" + tailLines(res->output, 25));
  }
  for (const std::string &o : objects) {
    if (llvm::is_contained(missing, o)) {
      notBuilt->push_back(o);
      continue;
    }
    fs::path dst = fs::path(outDir) / o;
    fs::create_directories(dst.parent_path(), ec);
    fs::copy_file(fs::path(opts.farm) / o, dst,
                  fs::copy_options::overwrite_existing, ec);
    if (ec)
      return fail("cannot copy '" + o + "': " + ec.message());
  }
  return llvm::Error::success();
}

llvm::Error BuildTree::applyPatch(const std::string &patch,
                                  const std::vector<TouchedFile> &files) {
  std::error_code ec;
  std::string stamp = opts.farm + "/" + kPatchedStamp;
  if (!fs::exists(stamp)) {
    std::ofstream out(stamp, std::ios::trunc);
    out << "files of this farm written after this one were built from "
           "patched sources\n";
    if (!out)
      return fail("cannot write '" + stamp + "'");
  }
  for (const TouchedFile &f : files) {
    if (f.kind == TouchedFile::Added)
      continue;
    fs::path dst = fs::path(opts.farm) / f.path;
    fs::path src = fs::path(opts.source) / f.path;
    if (!fs::is_regular_file(src))
      return fail("the patch changes '" + f.path + "', which is not in '" +
                  opts.source + "'");
    if (!fs::is_symlink(dst))
      continue; // already a private copy: an earlier patch of the series
    fs::remove(dst, ec);
    fs::copy_file(src, dst, ec);
    if (ec)
      return fail("cannot copy '" + f.path + "': " + ec.message());
  }
  Command cmd;
  cmd.argv = {"patch", "-p1",  "--forward", "--batch",
              "--no-backup-if-mismatch", "-r", "-", "-s"};
  cmd.cwd = opts.farm;
  cmd.input = patch;
  auto res = run(cmd);
  if (!res)
    return res.takeError();
  if (res->status != 0)
    return fail("the patch does not apply to '" + opts.source + "':\n" +
                tailLines(res->output, 10));
  return llvm::Error::success();
}

llvm::Error BuildTree::revert(const std::vector<TouchedFile> &files,
                              const std::vector<std::string> &objects) {
  std::error_code ec;
  for (const TouchedFile &f : files) {
    fs::path dst = fs::path(opts.farm) / f.path;
    fs::remove(dst, ec);
    if (fs::exists(fs::path(opts.source) / f.path))
      if (auto err = link(f.path))
        return err;
  }
  for (const std::string &o : objects)
    fs::remove(fs::path(opts.farm) / o, ec);
  return llvm::Error::success();
}

std::string BuildTree::targetOf(const std::string &object) const {
  auto k = configured_.lookup(object);
  return k ? k->target : "vmlinux";
}

std::map<std::string, std::string> BuildTree::layoutHeaders() const {
  std::map<std::string, std::string> out;
  for (const char *h :
       {"include/generated/asm-offsets.h", "include/generated/bounds.h"})
    out[h] = contentsOrEmpty(opts.farm + "/" + h);
  return out;
}

llvm::Error BuildTree::endPatched() {
  fs::path stamp = fs::path(opts.farm) / kPatchedStamp;
  std::error_code ec;
  auto since = fs::last_write_time(stamp, ec);
  if (ec)
    return llvm::Error::success(); // nothing was patched
  unsigned removed = 0;
  std::vector<std::string> generated;
  for (auto it = fs::recursive_directory_iterator(opts.farm, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      return fail("cannot read '" + opts.farm + "': " + ec.message());
    // The links are the source; only files are build products (d_type:
    // no stat for the links).
    // (The farm's own files, .ksplice-*, are not build products.)
    if (it->is_symlink(ec) || !it->is_regular_file(ec) ||
        StringRef(it->path().filename().string()).startswith(".ksplice-"))
      continue;
    auto t = fs::last_write_time(it->path(), ec);
    if (ec || t < since)
      continue;
    fs::path rel = it->path().lexically_relative(opts.farm);
    std::string name = rel.filename().string();
    if (!StringRef(name).endswith(".o") && !StringRef(name).endswith(".cmd") &&
        !StringRef(name).endswith(".d"))
      generated.push_back(rel.generic_string());
    fs::remove(it->path(), ec);
    removed++;
  }
  if (!generated.empty()) {
    std::vector<std::string> some(generated.begin(),
                                  generated.begin() +
                                      std::min<size_t>(4, generated.size()));
    progress("build tree: removed " + std::to_string(generated.size()) +
             " generated file(s) made from patched sources (" +
             llvm::join(some, ", ") + (generated.size() > 4 ? ", ..." : "") +
             "); kbuild makes them again");
  }
  fs::remove(stamp, ec);
  return llvm::Error::success();
}

} // namespace ksplice
