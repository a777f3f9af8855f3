#include "list.h"

#include <algorithm>
#include <set>

#include "manifest.h"

namespace ksplice {
namespace {

// An update the kernel has: sysfs says it all.
Status fromKernel(const Sysfs &sysfs, UpdateView &v) {
  auto stage = sysfs.stage(v.id);
  if (!stage)
    return stage.status();
  v.stage = *stage;
  auto desc = sysfs.description(v.id);
  if (!desc)
    return desc.status();
  v.description = *desc;
  auto funcs = sysfs.functions(v.id);
  if (!funcs)
    return funcs.status();
  v.functions = *funcs;
  auto hooks = sysfs.hooks(v.id);
  if (!hooks)
    return hooks.status();
  v.hooks = *hooks;
  auto targets = sysfs.targets(v.id);
  if (!targets)
    return targets.status();
  v.targets = *targets;
  if (auto ns = sysfs.pauseNs(v.id); ns && *ns)
    v.pauseNs = *ns;
  return okStatus();
}

// A record whose update the kernel does not have: its manifest.
void fromRecord(const Records &records, UpdateView &v) {
  v.stage = "not-loaded";
  if (auto text = records.manifestText(v.id))
    if (auto m = parseManifest(*text)) {
      v.description = m->description;
      for (const auto &f : m->functions)
        v.functions.push_back({f.name, f.object});
    }
}

Result<UpdateView> gather(const Host &host, const std::string &id) {
  UpdateView v;
  v.id = id;
  const Records &records = host.records();
  if (auto r = records.get(id))
    v.record = *r;
  if (host.sysfs().hasUpdate(id)) {
    if (Status s = fromKernel(host.sysfs(), v); !s)
      return s;
  } else if (v.record) {
    fromRecord(records, v);
  } else {
    return Status::error("update '" + id +
                         "' is not loaded in the kernel and has no record "
                         "in '" + records.root() +
                         "'; 'ksplice-view' lists the updates");
  }
  return v;
}

}  // namespace

Result<std::vector<std::string>> updatesNewestFirst(const Host &host) {
  std::vector<std::string> order;
  std::set<std::string> seen;
  auto recs = host.records().list();
  std::reverse(recs.begin(), recs.end());
  for (const auto &r : recs)
    if (seen.insert(r.id).second)
      order.push_back(r.id);
  auto loaded = host.sysfs().updates();
  if (!loaded)
    return loaded.status();
  for (const auto &id : *loaded)
    if (seen.insert(id).second)
      order.push_back(id);
  return order;
}

Result<std::vector<UpdateView>> listUpdates(const Host &host) {
  auto order = updatesNewestFirst(host);
  if (!order)
    return order.status();
  std::vector<UpdateView> views;
  for (const auto &id : *order) {
    auto v = gather(host, id);
    if (!v)
      return v.status();
    views.push_back(std::move(*v));
  }
  return views;
}

Result<UpdateView> viewUpdate(const Host &host, const std::string &id) {
  if (Status s = checkUpdateId(id); !s)
    return s;
  auto v = gather(host, id);
  if (!v)
    return v;
  if (auto p = host.records().patchText(id))
    v->patch = *p;
  return v;
}

}  // namespace ksplice
