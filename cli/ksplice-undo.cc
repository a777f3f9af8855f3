// ksplice-undo: reverse an applied update and unload its patch module.
//
//   ksplice-undo [--raw-errors] ID
//   ksplice-undo [--raw-errors] --all     (newest first)
//
// Exit status: 0 undone (or nothing to undo with --all), 1 error, 2 usage
// error.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli.h"
#include "fs.h"
#include "manifest.h"
#include "modules.h"
#include "records.h"
#include "sysfs.h"

using namespace ksplice;

namespace {

constexpr const char *kTool = "ksplice-undo";

struct Options {
  std::string id;
  bool all = false;
  bool rawErrors = false;
};

int fail(const Options &o, const std::string &message,
         const char *token = kOtherErrorToken) {
  if (o.rawErrors)
    fmt::print(stderr, "{}\n", token);
  fmt::print(stderr, "{}: error: {}\n", kTool, message);
  return 1;
}

int undoOne(const Options &o, const Sysfs &sysfs, const Records &records,
            const std::string &id) {
  if (!isValidUpdateId(id))
    return fail(o, fmt::format("'{}' is not an update id ([A-Za-z0-9_.-], "
                               "at most 64); 'ksplice-view' lists the ids",
                               id));
  auto rec = records.get(id);
  if (!sysfs.hasUpdate(id)) {
    if (rec) {
      if (Status s = records.remove(id); !s)
        return fail(o, s.message());
      fmt::print("update '{}' is not loaded in the kernel (rebooted?); "
                 "removed its stale record\n",
                 id);
      return 0;
    }
    return fail(o, fmt::format("update '{}' is not loaded in the kernel; "
                               "'ksplice-view' lists the loaded updates",
                               id));
  }
  auto stage = sysfs.stage(id);
  if (!stage)
    return fail(o, stage.message());
  if (*stage == "applied") {
    Status undone = sysfs.writeStage(id, "undo");
    if (!undone) {
      auto token = sysfs.abortCause(id);
      if (!token || token->empty() || *token == "none")
        return fail(o, undone.message());
      Conflicts conflicts;
      if (auto c = sysfs.conflicts(id))
        conflicts = *c;
      for (const std::string &line :
           abortReport(kTool, id, "undo", *token, conflicts, o.rawErrors))
        fmt::print(stderr, "{}\n", line);
      return 1;
    }
  }
  std::string module =
      rec && !rec->module.empty() ? rec->module : defaultPatchModuleName(id);
  if (Status s = unloadModule(module); !s)
    return fail(o,
                fmt::format("update '{}' is undone, but {}; unload it later "
                            "with 'ksplice-undo {}'",
                            id, s.message(), id),
                "module_busy");
  if (Status s = records.remove(id); !s)
    fmt::print(stderr, "{}: warning: {}\n", kTool, s.message());
  if (*stage == "applied")
    fmt::print("undid update '{}'\n", id);
  else
    fmt::print("update '{}' was not applied ({}); unloaded its module '{}'\n",
               id, *stage, module);
  return 0;
}

int run(const Options &o) {
  HostPaths paths = HostPaths::fromEnvironment();
  Sysfs sysfs(paths.sysfsRoot);
  Records records(paths.runDir);
  auto lock = records.lock();
  if (!lock)
    return fail(o, lock.message());
  // Not killed half-way (between loading and applying, or applying and
  // recording): SIGINT and friends wait until the tool is done.
  CriticalSection critical;
  if (!o.all)
    return undoOne(o, sysfs, records, o.id);

  // Newest first by the record's sequence; then updates the kernel has
  // but no record names (applied by other means), by id.
  std::vector<std::string> order;
  std::set<std::string> seen;
  auto recs = records.list();
  std::reverse(recs.begin(), recs.end());
  for (const auto &r : recs)
    if (seen.insert(r.id).second)
      order.push_back(r.id);
  auto loaded = sysfs.updates();
  if (!loaded)
    return fail(o, loaded.message());
  for (const auto &id : *loaded)
    if (seen.insert(id).second)
      order.push_back(id);
  if (order.empty()) {
    fmt::print("no updates are loaded; nothing to undo\n");
    return 0;
  }
  for (const auto &id : order)
    if (int rc = undoOne(o, sysfs, records, id); rc != 0)
      return rc;
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"Undo a ksplice update and unload its patch module.\n"
               "Exit status: 0 undone, 1 error, 2 usage error.",
               kTool};
  auto *all = app.add_flag("--all", o.all,
                           "Undo every update, newest first");
  auto *id = app.add_option("ID", o.id, "The id of the update to undo");
  id->excludes(all);
  all->excludes(id);
  app.add_flag("--raw-errors", o.rawErrors,
               "Print the bare abort-cause token as the first stderr line");
  try {
    app.parse(argc, argv);
    if (!o.all && o.id.empty())
      throw CLI::RequiredError("ID or --all");
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return run(o);
}
