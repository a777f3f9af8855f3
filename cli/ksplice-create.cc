//===- ksplice-create.cc - Turn a source patch into a hot update ----------===//
//
// ksplice-create --patch FILE [--after FILE]... [--config FILE]
//                [--headers DIR] [--id ID] [--description TEXT] [-o OUT]
//                [-j N] [--cache DIR] KERNEL_SRC
//
// KERNEL_SRC is the source the running kernel was built from (on Debian:
// the unpacked linux-source-6.1 of the same version); it is only read.
// --config defaults to /boot/config-$(uname -r), --headers to
// /lib/modules/$(uname -r)/build.  --after names patches that earlier
// updates already put on the target, in order: a later update that
// touches a compilation unit an earlier one changed must be built on top
// of it (the loader refuses pre code that does not match what runs, and
// ksplice-apply refuses the package until those updates are applied).
//
// Exit status: 0 update made, 1 error (a usage error too), 2 refused as
// unsafe (reasons printed), 3 no functional change.
//
// ksplice-create --series NEW_SRC [--from V] [--to V] [--series-jobs N]
//                [--series-header-objects N] [--resume]
//                -o DIR [...] KERNEL_SRC
//
// A series (create/series.h): every changed .c file between KERNEL_SRC and
// the later source NEW_SRC made into its own update, in DIR with the index
// that `ksplice-apply DIR` reads and report.txt (what became of every
// changed file, and the coverage).  Each file's result is saved in DIR as
// soon as it is known: --resume takes those of an earlier, interrupted run
// with the same inputs.  Exit status: 0 at least one update made, 1 an
// error, 2 none made and some refused, 3 none made or refused.
//
// ksplice-create --self-match [--object OBJ]... [--objects FILE]
//                [--target T]... [--compile-once] [--no-packages]
//                [--package-size MB] [--package-units N] [--id PREFIX]
//                [-o DIR] ... KERNEL_SRC
//
// Updates that replace nothing, for checking run-pre matching on the
// kernel the objects were built for (create/self_match.h): the objects
// (OBJ, those listed one per line in FILE, every object linked into
// target T: vmlinux or a module) are compiled twice, each must diff as
// "no change" against its second compile, and the units are packed into
// DIR/PREFIX-NNN.tar.gz for `ksplice-apply --dry-run`, with the list of
// units in DIR/PREFIX.units.  Exit status: 0 every unit diffed as "no
// change" and was packaged, 1 an error or a unit that did not.
//
//===----------------------------------------------------------------------===//
#include "create.h"
#include "self_match.h"
#include "series.h"
#include "tool.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <sys/utsname.h>
#include <filesystem>
#include <fstream>
#include <thread>

#ifndef KSPLICE_DATA_DIR
#error "KSPLICE_DATA_DIR must name the directory holding loader-kmod/ and scripts/"
#endif

using namespace ksplice;

static std::string defaultCacheDir() {
  if (const char *c = getenv("KSPLICE_CACHE"))
    return std::string(c) + "/create";
  if (const char *x = getenv("XDG_CACHE_HOME"))
    return std::string(x) + "/ksplice/create";
  const char *home = getenv("HOME");
  return std::string(home ? home : "/tmp") + "/.cache/ksplice/create";
}

static int selfMatchMain(const Tool &tool, SelfMatchOptions opts,
                         const Progress &progress) {
  bool listOnly = opts.listOnly;
  auto res = selfMatch(std::move(opts), progress);
  if (!res)
    return tool.error(llvm::toString(res.takeError()));
  if (listOnly) {
    for (const SelfMatchUnit &u : res->units)
      fmt::print("{}\t{}\n", u.object, u.target);
    return 0;
  }
  unsigned functions = 0;
  for (const SelfMatchUnit &u : res->units) {
    functions += u.functions;
    if (u.verdict != "no-change")
      fmt::print("{} ({}): self-diff {}: {}\n", u.object, u.target,
                 u.verdict, u.why);
  }
  for (const SelfMatchPackage &p : res->packages)
    fmt::print("package {}: {} units of {}, {} functions, {} bytes of patch "
               "objects\n",
               p.file, p.units, p.target, p.functions, p.patchBytes);
  fmt::print("summary: {} units, {} functions, {} not \"no change\", {} "
             "packages; compile {:.1f} s, diff {:.1f} s, packages {:.1f} s; "
             "units in {}\n",
             res->units.size(), functions, res->differing(),
             res->packages.size(), res->compileSeconds, res->diffSeconds,
             res->packageSeconds, res->unitList);
  return res->differing() ? 1 : 0;
}

static int seriesMain(const Tool &tool, SeriesCreateOptions opts,
                      const Progress &progress) {
  auto res = createSeries(opts, progress);
  if (!res)
    return tool.error(llvm::toString(res.takeError()));
  size_t refused = 0;
  for (const SeriesFileResult &f : res->files)
    refused += f.fate == SeriesFileResult::Refused;
  fmt::print("series: {} changed files, {} updates, {} refused; {} of {} "
             "changed functions replaced; report in {}\n",
             res->files.size(), res->updates(), refused,
             res->replacedFunctions(), res->changedFunctions(), res->report);
  if (res->updates())
    fmt::print("series written to {} (ksplice-apply {})\n", opts.outputDir,
               opts.outputDir);
  return res->updates() ? 0 : refused ? 2 : 3;
}

int main(int argc, char **argv) {
  Tool tool("ksplice-create", {{0, "update made"},
                               {2, "refused as unsafe"},
                               {3, "no functional change"}});
  utsname uts{};
  uname(&uts);
  CreateOptions opts;
  opts.config = std::string("/boot/config-") + uts.release;
  opts.headers = std::string("/lib/modules/") + uts.release + "/build";
  opts.jobs = std::max(1u, std::thread::hardware_concurrency());
  opts.cacheDir = defaultCacheDir();
  opts.dataDir = getenv("KSPLICE_DATA_DIR") ? getenv("KSPLICE_DATA_DIR")
                                            : KSPLICE_DATA_DIR;
  // Installed beside this program.
  std::error_code ec;
  opts.klpConvert =
      (std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() /
       "ksplice-klp-convert")
          .string();

  SelfMatchOptions sm;
  bool selfMatchMode = false, compileOnce = false, noPackages = false;
  std::string objectsFile;
  unsigned packageMiB = sm.packageBytes >> 20;

  CLI::App app{"Turn a kernel source patch into a hot update package.",
               tool.name()};
  auto *patchOpt =
      app.add_option("--patch", opts.patchFile, "unified diff (-p1) to apply");
  auto *selfOpt = app.add_flag(
      "--self-match", selfMatchMode,
      "make updates that replace nothing, to check run-pre matching of "
      "the objects given by --object, --objects and --target");
  patchOpt->excludes(selfOpt);
  app.add_option("--object", sm.objects, "self-match: an object (repeatable)");
  app.add_option("--objects", objectsFile,
                 "self-match: a file listing objects, one per line");
  app.add_option("--target", sm.targets,
                 "self-match: every object linked into vmlinux or a module");
  app.add_flag("--compile-once", compileOnce,
               "self-match: diff each object against itself, not against a "
               "second compile");
  app.add_flag("--no-packages", noPackages,
               "self-match: the self-diff only");
  app.add_flag("--list-objects", sm.listOnly,
               "self-match: print the objects chosen (object, target) and "
               "stop (to split a long run into parts)");
  app.add_option("--package-size", packageMiB,
                 "self-match: MiB of patch objects per package at most")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--package-units", sm.packageUnits,
                 "self-match: units per package at most (default: any)");
  SeriesCreateOptions series;
  auto *seriesOpt = app.add_option(
      "--series", series.newSource,
      "a later release's source tree: make every changed .c file an update "
      "of a series in the -o directory");
  seriesOpt->excludes(patchOpt)->excludes(selfOpt);
  app.add_option("--from", series.from,
                 "series: the running kernel's release (default: "
                 "KERNEL_SRC's name)");
  app.add_option("--to", series.to,
                 "series: the later release (default: NEW_SRC's name)");
  app.add_option("--series-jobs", series.workers,
                 "series: files built at once, each in its own farm under "
                 "the cache (disk: a kernel tree each)")
      ->check(CLI::Range(1u, 64u));
  app.add_option("--series-header-objects", series.headerObjects,
                 "series: carry a changed header when at most this many "
                 "objects include it (each is compiled twice)")
      ->capture_default_str();
  app.add_flag("--resume", series.resume,
               "series: take the results an interrupted run with the same "
               "inputs saved in DIR instead of building those files again");
  app.add_option("--after", opts.afterPatches,
                 "a patch already live on the target (an earlier update of "
                 "a series); repeatable, in order");
  app.add_option("--config", opts.config, "the running kernel's .config");
  app.add_option("--headers", opts.headers,
                 "the running kernel's build dir (with Module.symvers)");
  app.add_option("--id", opts.id, "update id (default: from the patch)");
  app.add_option("--description", opts.description, "one-line description");
  app.add_option("-o", opts.output,
                 "package to write (ksplice-<id>.tar.gz); with --self-match, "
                 "the directory for the packages (.)");
  app.add_option("--sign", opts.signing.packageKey,
                 "sign the package with this PEM private key (Ed25519 or "
                 "RSA); hosts check it against /etc/ksplice/keys")
      ->check(CLI::ExistingFile);
  auto *moduleKey =
      app.add_option("--module-key", opts.signing.moduleKey,
                     "sign the modules for hosts that enforce module "
                     "signatures: the private key (with --module-cert)")
          ->check(CLI::ExistingFile);
  app.add_option("--module-cert", opts.signing.moduleCert,
                 "the X.509 certificate of --module-key, enrolled on the hosts")
      ->check(CLI::ExistingFile)
      ->needs(moduleKey);
  moduleKey->needs("--module-cert");
  app.add_option("-j", opts.jobs, "parallel compile jobs");
  app.add_option("--cache", opts.cacheDir, "build cache directory");
  app.add_option("KERNEL_SRC", opts.source, "kernel source tree (read only)")
      ->required();
  if (auto status = tool.parse(app, argc, argv))
    return *status;

  auto progress = [&](const std::string &s) { tool.say(s); };
  if (selfMatchMode) {
    if (!objectsFile.empty()) {
      std::ifstream in(objectsFile);
      if (!in)
        return tool.error("cannot read '" + objectsFile + "'");
      for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#')
          sm.objects.push_back(line);
    }
    sm.source = opts.source;
    sm.config = opts.config;
    sm.headers = opts.headers;
    sm.cacheDir = opts.cacheDir;
    sm.dataDir = opts.dataDir;
    sm.klpConvert = opts.klpConvert;
    sm.jobs = opts.jobs;
    if (!opts.output.empty())
      sm.outDir = opts.output;
    if (!opts.id.empty())
      sm.id = opts.id;
    sm.compileTwice = !compileOnce;
    sm.packages = !noPackages;
    sm.packageBytes = uint64_t(packageMiB) << 20;
    return selfMatchMain(tool, std::move(sm), progress);
  }
  if (!series.newSource.empty()) {
    if (opts.output.empty() || !opts.id.empty() || !opts.afterPatches.empty()) {
      tool.error("--series wants -o DIR, and no --id or --after");
      return tool.usageStatus();
    }
    series.outputDir = opts.output;
    series.base = opts;
    series.base.output.clear();
    return seriesMain(tool, std::move(series), progress);
  }
  if (opts.patchFile.empty()) {
    tool.error("--patch is required (or --self-match, or --series)");
    return tool.usageStatus();
  }
  auto res = createUpdate(opts, progress);
  if (!res)
    return tool.error(llvm::toString(res.takeError()));

  for (const UnitResult &u : res->units) {
    fmt::print("{} ({}): {}\n", u.object, u.target, u.verdict);
    for (const std::string &f : u.changed)
      fmt::print("  replaced function: {}\n", f);
    for (const std::string &f : u.added)
      fmt::print("  new function: {}\n", f);
    for (const std::string &f : u.newData)
      fmt::print("  new data: {}\n", f);
    for (const std::string &f : u.changedData)
      fmt::print("  changed data: {} (written as the module loads)\n", f);
    for (const std::string &f : u.removed)
      fmt::print("  removed function: {}\n", f);
    for (const std::string &h : u.hooks)
      fmt::print("  hook: {}\n", h);
    for (const std::string &f : u.ignoredInit)
      fmt::print("  __init change not applied (ksplice_init_changed): {}\n",
                 f);
    for (const std::string &e : u.newExports)
      fmt::print("  new export: {}\n", e);
    for (const std::string &e : u.removedExports)
      fmt::print("  removed export: {} (the running kernel keeps exporting "
                 "it)\n",
                 e);
  }
  for (const Refused &r : res->refusals)
    fmt::print("refused: {}{}{}: {}\n", r.object.empty() ? "" : r.object + ": ",
               r.section, r.symbol.empty() ? "" : " '" + r.symbol + "'",
               r.reason);
  size_t replaced = 0, added = 0;
  for (const UnitResult &u : res->units) {
    replaced += u.changed.size();
    added += u.added.size();
  }
  fmt::print("summary: {} unit{} compared, {} function{} replaced, {} new, "
             "{} refused\n",
             res->units.size(), res->units.size() == 1 ? "" : "s", replaced,
             replaced == 1 ? "" : "s", added, res->refusals.size());
  switch (res->outcome) {
  case CreateResult::Unpatchable:
    tool.say(fmt::format("the patch cannot be hot patched safely ({} "
                         "reason{})",
                         res->refusals.size(),
                         res->refusals.size() == 1 ? "" : "s"));
    return 2;
  case CreateResult::NoChange:
    tool.say("the patch makes no functional change to the compiled code");
    return 3;
  case CreateResult::Made:
    break;
  }
  if (!res->package.empty())
    fmt::print("update {} written to {}\n", res->id, res->package);
  return 0;
}
