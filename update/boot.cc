#include "boot.h"

namespace ksplice {

size_t BootReport::failed() const {
  size_t n = 0;
  for (const ApplyReport &r : updates)
    n += r.failure ? 1 : 0;
  return n;
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
  for (const StoredUpdate &u : store.list(r.release)) {
    ApplyOptions o;
    o.package = u.path;
    o.persist = false;  // kept already, in its place
    o.trust = trust;    // checked again: the keys may have changed
    r.updates.push_back(applyUpdate(host, o));
  }
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
