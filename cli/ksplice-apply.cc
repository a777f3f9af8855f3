// ksplice-apply: apply an update package to the running kernel.
//
//   ksplice-apply [--dry-run] [--retries N] [--raw-errors] PACKAGE
//
// Exit status: 0 applied (or already applied; with --dry-run: would
// apply), 1 error, 2 usage error.
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cstdio>
#include <ctime>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli.h"
#include "format.h"
#include "fs.h"
#include "modules.h"
#include "package.h"
#include "records.h"
#include "sysfs.h"

using namespace ksplice;

namespace {

constexpr const char *kTool = "ksplice-apply";

struct Options {
  std::string package;
  bool dryRun = false;
  unsigned retries = 0;  // 0: the loader's default
  bool rawErrors = false;
};

int fail(const Options &o, const std::string &message,
         const char *token = kOtherErrorToken) {
  if (o.rawErrors)
    fmt::print(stderr, "{}\n", token);
  fmt::print(stderr, "{}: error: {}\n", kTool, message);
  return 1;
}

// The dry run proper: writes "check" to the stage file of the loaded
// update and reports what the loader found.  Changes nothing.
int check(const Options &o, const Sysfs &sysfs, const Manifest &m) {
  const std::string &id = m.id;
  Status checked = sysfs.writeStage(id, "check");
  auto token = sysfs.abortCause(id);
  // A write that succeeded with a cause other than "none" would be a
  // loader bug: report the cause rather than claim the update would apply.
  if (!checked || !token || *token != "none") {
    if (!checked && (!token || token->empty() || *token == "none"))
      return fail(o, checked.message());
    if (!token)
      return fail(o, token.message());
    if (token->empty())
      return fail(o, fmt::format("the loader's check of update '{}' left "
                                 "an empty abort cause; nothing was changed",
                                 id));
    Conflicts conflicts;
    if (auto c = sysfs.conflicts(id))
      conflicts = *c;
    for (const std::string &line :
         abortReport(kTool, id, "check", *token, conflicts, o.rawErrors))
      fmt::print(stderr, "{}\n", line);
    // The update is loaded or reversed here, which a check accepts; only a
    // core module from before dry runs refuses the word "check" itself.
    if (*token == "bad_state")
      fmt::print(stderr,
                 "{}: note: if the loaded core module is older than this "
                 "ksplice-apply, it does not know 'check' and refuses it "
                 "this way: a dry run needs a newer core\n",
                 kTool);
    return 1;
  }
  fmt::print("dry run of update '{}'{}\n", id,
             m.description.empty() ? "" : ": " + m.description);
  if (auto funcs = sysfs.functions(id))
    for (const auto &f : *funcs)
      fmt::print("  would replace '{}' in {}\n", f.name, f.object);
  if (auto ns = sysfs.pauseNs(id))
    fmt::print("  the check paused the kernel for {}\n", formatPause(*ns));
  fmt::print("update '{}' would apply now; nothing was changed\n", id);
  return 0;
}

int run(const Options &o) {
  HostPaths paths = HostPaths::fromEnvironment();
  Sysfs sysfs(paths.sysfsRoot);
  Records records(paths.runDir);

  auto tmp = TempDir::create("ksplice-apply.");
  if (!tmp)
    return fail(o, tmp.message());
  if (access(o.package.c_str(), R_OK) != 0)
    return fail(o, fmt::format("cannot read package '{}': {}", o.package,
                               strerror(errno)));
  auto pkg = openPackage(o.package, tmp->path());
  if (!pkg)
    return fail(o, pkg.message(), "bad_package");
  const Manifest &m = pkg->manifest;
  const std::string &id = m.id;

  struct utsname uts;
  if (uname(&uts) != 0)
    return fail(o, "uname() failed; cannot tell which kernel is running");
  if (m.kernelRelease != uts.release)
    return fail(o, fmt::format(
                       "update '{}' in '{}' is for kernel '{}', but this host "
                       "runs '{}'; nothing was changed: build the update for "
                       "this kernel with ksplice-create, or apply it on a "
                       "host running '{}'",
                       id, o.package, m.kernelRelease, uts.release,
                       m.kernelRelease));

  // One ksplice-apply/-undo at a time: the sequence numbers and the
  // load-then-apply steps must not interleave.
  auto lock = records.lock();
  if (!lock)
    return fail(o, lock.message());
  // Not killed half-way (between loading and applying, or applying and
  // recording): SIGINT and friends wait until the tool is done.
  CriticalSection critical;

  // Built --after earlier patches: those updates must be applied now, or
  // the loader could match this update's pre code against a kernel state
  // nobody built it for.  Decided here, before anything is loaded; an
  // update that is already applied needs no check.
  bool alreadyApplied = false;
  if (sysfs.hasUpdate(id))
    if (auto stage = sysfs.stage(id); stage && *stage == "applied")
      alreadyApplied = true;
  if (!alreadyApplied)
    if (Status s = checkPrerequisites(m, o.package, records, sysfs); !s)
      return fail(o, s.message(), kMissingPrerequisiteToken);

  bool loadedCore = false;
  std::string coreName = kCoreModuleName;
  if (!sysfs.coreLoaded()) {
    std::string corePath = pkg->dir + "/" + m.coreModule;
    auto name = moduleNameOf(corePath);
    if (!name)
      return fail(o, name.message(), "bad_package");
    coreName = *name;
    if (Status s = loadModule(corePath); !s)
      return fail(o, s.message() + "; nothing was changed");
    loadedCore = true;
    if (!sysfs.coreLoaded()) {
      if (Status s = unloadModule(coreName); !s)
        fmt::print(stderr, "{}: warning: {}\n", kTool, s.message());
      return fail(o,
                  fmt::format("loaded the core module '{}', but '{}' did not "
                              "appear; the package's '{}' is not the ksplice "
                              "core: rebuild the package with ksplice-create",
                              coreName, sysfs.root(), m.coreModule),
                  "bad_package");
    }
  }
  // Puts the kernel back as it was (unloads the modules we loaded) after a
  // failure or a dry run; false if a module could not be unloaded.
  std::string loadedPatch;
  auto rollback = [&]() {
    bool ok = true;
    if (!loadedPatch.empty())
      if (Status s = unloadModule(loadedPatch); !s) {
        fmt::print(stderr, "{}: warning: {}\n", kTool, s.message());
        ok = false;
      }
    if (loadedCore) {
      auto left = sysfs.updates();
      if (left && left->empty())
        if (Status s = unloadModule(coreName); !s) {
          fmt::print(stderr, "{}: warning: {}\n", kTool, s.message());
          ok = false;
        }
    }
    return ok;
  };

  if (sysfs.hasUpdate(id)) {
    auto stage = sysfs.stage(id);
    if (!stage)
      return fail(o, stage.message());
    if (*stage == "applied") {
      fmt::print("update '{}' is already applied; nothing to {}\n", id,
                 o.dryRun ? "check" : "do");
      return 0;
    }
    // Loaded (or reversed) but not applied: apply the module that is there.
  } else {
    auto name = moduleNameOf(pkg->dir + "/" + m.patchModule);
    if (!name) {
      rollback();
      return fail(o, name.message(), "bad_package");
    }
    if (Status s = loadModule(pkg->dir + "/" + m.patchModule); !s) {
      rollback();
      return fail(o, s.message() + "; nothing was changed");
    }
    loadedPatch = *name;
    if (!sysfs.hasUpdate(id)) {
      rollback();
      return fail(o,
                  fmt::format("patch module '{}' loaded but did not register "
                              "update '{}' in '{}'; the package is "
                              "inconsistent: rebuild it with ksplice-create",
                              m.patchModule, id, sysfs.root()),
                  "bad_package");
    }
  }

  // A dry run on an update someone else loaded restores its retries.
  unsigned oldRetries = 0;
  if (o.retries && o.dryRun && loadedPatch.empty())
    if (auto r = sysfs.retries(id))
      oldRetries = *r;
  if (o.retries)
    if (Status s = sysfs.setRetries(id, o.retries); !s) {
      rollback();
      return fail(o, s.message() + "; nothing was changed");
    }

  if (o.dryRun) {
    int rc = check(o, sysfs, m);
    if (oldRetries)
      if (Status s = sysfs.setRetries(id, oldRetries); !s)
        fmt::print(stderr, "{}: warning: {}\n", kTool, s.message());
    if (!rollback())
      return fail(o, fmt::format(
                         "the dry run of update '{}' could not unload the "
                         "modules it loaded (see the warnings above); "
                         "unload them with rmmod",
                         id));
    return rc;
  }

  Status applied = sysfs.writeStage(id, "apply");
  if (!applied) {
    auto token = sysfs.abortCause(id);
    Conflicts conflicts;
    if (auto c = sysfs.conflicts(id))
      conflicts = *c;
    if (!token || token->empty() || *token == "none") {
      rollback();
      return fail(o, applied.message());
    }
    for (const std::string &line :
         abortReport(kTool, id, "apply", *token, conflicts, o.rawErrors))
      fmt::print(stderr, "{}\n", line);
    rollback();
    return 1;
  }

  fmt::print("applied update '{}'{}\n", id,
             m.description.empty() ? "" : ": " + m.description);
  if (auto funcs = sysfs.functions(id))
    for (const auto &f : *funcs)
      fmt::print("  replaced '{}' in {}\n", f.name, f.object);
  if (auto ns = sysfs.pauseNs(id))
    fmt::print("  the kernel was paused for {}\n", formatPause(*ns));

  std::string module = loadedPatch;
  if (module.empty())
    if (auto n = moduleNameOf(pkg->dir + "/" + m.patchModule))
      module = *n;
  auto rec = records.add(id, pkg->dir + "/manifest", pkg->dir + "/patch",
                         module, int64_t(time(nullptr)));
  if (!rec)
    fmt::print(stderr,
               "{}: warning: the update is applied, but it could not be "
               "recorded: {}; 'ksplice-undo --all' will not see it, undo it "
               "with 'ksplice-undo {}'\n",
               kTool, rec.message(), id);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"Apply a ksplice update package to the running kernel.\n"
               "Exit status: 0 applied or already applied (--dry-run: would "
               "apply), 1 error, 2 usage error.",
               kTool};
  app.add_flag("--dry-run", o.dryRun,
               "Check that the update would apply (run-pre matching and the "
               "safety check), then unload it; changes nothing");
  app.add_option("--retries", o.retries,
                 "How often the loader tries to find a safe moment (1-1000)")
      ->check(CLI::Range(1u, 1000u));
  app.add_flag("--raw-errors", o.rawErrors,
               "Print the bare abort-cause token as the first stderr line");
  app.add_option("PACKAGE", o.package, "The ksplice-<id>.tar.gz to apply")
      ->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return run(o);
}
