//===- build_tree.cc - ksplice-create's kernel build cache ----------------===//
#include "build_tree.h"
#include "process.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::createStringError;
using llvm::inconvertibleErrorCode;
using llvm::StringRef;

static llvm::Error fail(const llvm::Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str().c_str());
}

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

static std::string readFile(const std::string &path) {
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
  fs::create_directories(opts.farm, ec);
  if (ec)
    return fail("cannot create '" + opts.farm + "': " + ec.message());

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

llvm::Error BuildTree::make(const std::vector<std::string> &args,
                            const std::string &what) {
  Command cmd;
  cmd.argv = {"make", "-s", "-j" + std::to_string(opts.jobs),
              "KERNELRELEASE=" + opts.release};
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

// Configured once per (config, release): a stamp holds their digest.
llvm::Error BuildTree::prepare() {
  std::string config = readFile(opts.config);
  if (config.empty())
    return fail("cannot read the kernel config '" + opts.config + "'");
  llvm::SHA256 h;
  h.update(config);
  h.update(opts.release);
  h.update("ksplice-farm-1");
  std::string digest = llvm::toHex(h.final(), true);
  std::string stamp = opts.farm + "/.ksplice-prepared";

  if (readFile(stamp) != digest) {
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
    if (auto err = make({"prepare", "modules_prepare"},
                        "preparing the kernel tree"))
      return err;
    std::ofstream(stamp) << digest;
  }

  kconfig.clear();
  std::istringstream in(readFile(opts.farm + "/.config"));
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (line.rfind("CONFIG_", 0) == 0 && eq != std::string::npos)
      kconfig[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return llvm::Error::success();
}

llvm::Error BuildTree::compile(const std::vector<std::string> &objects,
                               const std::string &outDir) {
  std::vector<std::string> args = {
      "KCFLAGS=-ffunction-sections -fdata-sections"};
  std::error_code ec;
  for (const std::string &o : objects) {
    fs::remove(fs::path(opts.farm) / o, ec); // rebuilt from the sources now
    args.push_back(o);
  }
  if (auto err = make(args, "compiling " + llvm::join(objects, ", ")))
    return err;
  for (const std::string &o : objects) {
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

// kbuild's Makefile of the object's directory, continuation lines joined,
// as (left-hand side, words of the right-hand side) pairs.
static std::vector<std::pair<std::string, std::vector<std::string>>>
readKbuildAssignments(const fs::path &dir) {
  std::string text = readFile((dir / "Kbuild").string());
  if (text.empty())
    text = readFile((dir / "Makefile").string());
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::string joined;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\\') {
      joined += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    joined += line;
    StringRef l = StringRef(joined).split('#').first;
    size_t op = l.find('=');
    if (op != StringRef::npos && op > 0) {
      StringRef lhs = l.take_front(op).rtrim(" \t+:?");
      std::vector<std::string> words;
      llvm::SmallVector<StringRef, 16> parts;
      l.drop_front(op + 1).split(parts, ' ', -1, false);
      for (StringRef p : parts)
        if (!p.trim().empty())
          words.push_back(p.trim().str());
      out.push_back({lhs.trim().str(), words});
    }
    joined.clear();
  }
  return out;
}

std::string BuildTree::targetOf(const std::string &object) const {
  fs::path obj(object);
  auto assigns = readKbuildAssignments(fs::path(opts.farm) / obj.parent_path());
  std::string name = obj.filename().string();
  // Follow composite objects (proc-y += cmdline.o; obj-y += proc.o) up to
  // an obj-<cfg> line, at most a few levels.
  for (int depth = 0; depth < 4; depth++) {
    std::string composite;
    for (auto &[lhs, words] : assigns) {
      if (std::find(words.begin(), words.end(), name) == words.end())
        continue;
      StringRef l(lhs);
      if (l.startswith("obj-")) {
        StringRef cfg = l.drop_front(4);
        std::string value = cfg.str();
        if (cfg.startswith("$(") && cfg.endswith(")")) {
          auto it = kconfig.find(cfg.drop_front(2).drop_back(1).str());
          value = it == kconfig.end() ? "" : it->second;
        }
        if (value == "m") {
          std::string mod = StringRef(name).drop_back(2).str();
          std::replace(mod.begin(), mod.end(), '-', '_');
          return mod;
        }
        if (value == "y")
          return "vmlinux";
        continue;
      }
      size_t dash = l.rfind('-');
      if (dash != StringRef::npos && composite.empty())
        composite = l.take_front(dash).str() + ".o";
    }
    if (composite.empty())
      break;
    name = composite;
  }
  return "vmlinux";
}

} // namespace ksplice
