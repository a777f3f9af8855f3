#include "boot.h"

#include <set>

#include "causes.h"

namespace ksplice {

size_t BootReport::failed() const {
  size_t n = 0;
  for (size_t i = 0; i < updates.size(); i++)
    n += updates[i].failure && !waitingFor[i];
  return n;
}

size_t BootReport::waiting() const {
  size_t n = 0;
  for (const std::optional<std::string> &w : waitingFor)
    n += w.has_value();
  return n;
}

// Whether the update that gave `a` waits: for the module its loader detail
// names, or ("") on an earlier update that waits.
static std::optional<std::string> waitsFor(const ApplyReport &a,
                                           bool waitingBefore) {
  if (!a.failure || !waitsForModule(a.failure->token, waitingBefore))
    return std::nullopt;
  if (a.failure->token == kTargetNotLoadedToken)
    return moduleToLoad(a.failure->detail);
  return std::string();
}

BootReport bootUpdates(Host &host, const TrustPolicy &trust) {
  BootReport r;
  auto release = host.kernelRelease();
  if (!release) {
    r.failure = toolFailure(release.message());
    return r;
  }
  r.release = *release;
  const Store &store = host.store();
  r.storeRoot = store.root();
  std::set<std::string> modules;
  bool waitingBefore = false;  // an earlier update waits
  for (const StoredUpdate &u : store.list(r.release)) {
    ApplyOptions o;
    o.package = u.path;
    o.persist = false;  // kept already, in its place
    o.trust = trust;    // checked again: the keys may have changed
    r.updates.push_back(applyUpdate(host, o));
    const std::optional<std::string> &w =
        r.waitingFor.emplace_back(waitsFor(r.updates.back(), waitingBefore));
    waitingBefore = waitingBefore || w.has_value();
    if (w && !w->empty())
      modules.insert(*w);
  }
  if (Status s = host.records().setWaitingModules(
          {modules.begin(), modules.end()});
      !s)
    r.markError = s.message();
  for (const std::string &other : store.releases()) {
    if (other == r.release)
      continue;
    BootReport::OtherKernel k{other, {}};
    for (const StoredUpdate &u : store.list(other))
      k.ids.push_back(u.id);
    r.skipped.push_back(std::move(k));
  }
  return r;
}

}  // namespace ksplice
