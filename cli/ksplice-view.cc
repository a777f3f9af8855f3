// ksplice-view: show the updates loaded in the kernel.
//
//   ksplice-view [--json]            one line per update, newest first
//   ksplice-view [--json] --id ID    one update, its functions and patch
//
// Exit status: 0 ok, 1 error, 2 usage error.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "format.h"
#include "manifest.h"
#include "records.h"
#include "sysfs.h"

using namespace ksplice;

namespace {

constexpr const char *kTool = "ksplice-view";

struct Options {
  std::string id;
  bool json = false;
};

struct UpdateView {
  std::string id;
  std::string stage;  // from sysfs, or "not-loaded" for a stale record
  std::string description;
  std::optional<AppliedRecord> record;
  std::vector<LoadedFunction> functions;
  std::optional<uint64_t> pauseNs;
};

int fail(const std::string &message) {
  fmt::print(stderr, "{}: error: {}\n", kTool, message);
  return 1;
}

Result<UpdateView> gather(const Sysfs &sysfs, const Records &records,
                          const std::string &id) {
  UpdateView v;
  v.id = id;
  if (auto r = records.get(id))
    v.record = *r;
  if (sysfs.hasUpdate(id)) {
    auto stage = sysfs.stage(id);
    if (!stage)
      return stage.status();
    v.stage = *stage;
    auto desc = sysfs.description(id);
    if (!desc)
      return desc.status();
    v.description = *desc;
    auto funcs = sysfs.functions(id);
    if (!funcs)
      return funcs.status();
    v.functions = *funcs;
    if (auto ns = sysfs.pauseNs(id); ns && *ns)
      v.pauseNs = *ns;
  } else if (v.record) {
    v.stage = "not-loaded";
    if (auto text = records.manifestText(id))
      if (auto m = parseManifest(*text)) {
        v.description = m->description;
        for (const auto &f : m->functions)
          v.functions.push_back({f.name, f.object});
      }
  } else {
    return Status::error(fmt::format(
        "update '{}' is not loaded in the kernel and has no record in "
        "'{}'; 'ksplice-view' lists the updates",
        id, records.root()));
  }
  return v;
}

std::string functionList(const UpdateView &v) {
  if (v.functions.empty())
    return "-";
  std::string out;
  for (const auto &f : v.functions)
    out += (out.empty() ? "" : ",") + f.name;
  return out;
}

std::string toJson(const UpdateView &v, const std::string *patch) {
  std::string o = "{\"id\":" + jsonString(v.id) +
                  ",\"stage\":" + jsonString(v.stage) +
                  ",\"description\":" + jsonString(v.description) +
                  ",\"applied_at\":" +
                  (v.record ? std::to_string(v.record->appliedAt) : "null") +
                  ",\"sequence\":" +
                  (v.record ? std::to_string(v.record->sequence) : "null") +
                  ",\"pause_ns\":" +
                  (v.pauseNs ? std::to_string(*v.pauseNs) : "null") +
                  ",\"functions\":[";
  for (size_t i = 0; i < v.functions.size(); i++)
    o += std::string(i ? "," : "") + "{\"name\":" +
         jsonString(v.functions[i].name) +
         ",\"object\":" + jsonString(v.functions[i].object) + "}";
  o += "]";
  if (patch)
    o += ",\"patch\":" + jsonString(*patch);
  return o + "}";
}

int run(const Options &o) {
  HostPaths paths = HostPaths::fromEnvironment();
  Sysfs sysfs(paths.sysfsRoot);
  Records records(paths.runDir);

  if (!o.id.empty()) {
    if (!isValidUpdateId(o.id))
      return fail(fmt::format("'{}' is not an update id ([A-Za-z0-9_.-], at "
                              "most 64); 'ksplice-view' lists the ids",
                              o.id));
    auto v = gather(sysfs, records, o.id);
    if (!v)
      return fail(v.message());
    std::optional<std::string> patch;
    if (auto p = records.patchText(o.id))
      patch = *p;
    if (o.json) {
      fmt::print("{{\"updates\":[{}]}}\n",
                 toJson(*v, patch ? &*patch : nullptr));
      return 0;
    }
    fmt::print("update '{}' is {}\n", v->id, v->stage);
    fmt::print("description: {}\n", v->description);
    if (v->record)
      fmt::print("applied at: {}\n", formatTime(v->record->appliedAt));
    if (v->pauseNs)
      fmt::print("pause: {}\n", formatPause(*v->pauseNs));
    fmt::print("functions:\n");
    for (const auto &f : v->functions)
      fmt::print("  {} ({})\n", f.name, f.object);
    if (patch)
      fmt::print("patch:\n{}", *patch);
    else
      fmt::print("patch: not recorded (the update was not applied with "
                 "ksplice-apply on this boot)\n");
    return 0;
  }

  // Newest first: recorded updates by sequence, then unrecorded ones by id.
  std::vector<std::string> order;
  std::set<std::string> seen;
  auto recs = records.list();
  std::reverse(recs.begin(), recs.end());
  for (const auto &r : recs)
    if (seen.insert(r.id).second)
      order.push_back(r.id);
  auto loaded = sysfs.updates();
  if (!loaded)
    return fail(loaded.message());
  for (const auto &id : *loaded)
    if (seen.insert(id).second)
      order.push_back(id);

  std::vector<UpdateView> views;
  for (const auto &id : order) {
    auto v = gather(sysfs, records, id);
    if (!v)
      return fail(v.message());
    views.push_back(std::move(*v));
  }
  if (o.json) {
    std::string out = "{\"updates\":[";
    for (size_t i = 0; i < views.size(); i++)
      out += (i ? "," : "") + toJson(views[i], nullptr);
    fmt::print("{}]}}\n", out);
    return 0;
  }
  if (views.empty()) {
    fmt::print("no updates are loaded\n");
    return 0;
  }
  for (const auto &v : views)
    fmt::print("{}  {}  '{}'  applied-at {}  functions {}\n", v.id, v.stage,
               v.description,
               v.record ? formatTime(v.record->appliedAt) : "-",
               functionList(v));
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"Show the ksplice updates loaded in the kernel, newest first.\n"
               "Exit status: 0 ok, 1 error, 2 usage error.",
               kTool};
  app.add_option("--id", o.id, "Show one update with its functions and patch");
  app.add_flag("--json", o.json, "Print one JSON object {\"updates\": [...]}");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return run(o);
}
