// The updates that survive a reboot: ksplice-apply keeps a copy of each
// package it applies in <root>/<kernel release>/ (default /var/lib/ksplice),
// ksplice-undo drops it, and at boot `ksplice-apply --boot` (update/boot.h)
// applies those of the running kernel again, in the order they were first
// applied.  One file per update, <order>-<id>.tar.gz, <order> a six-digit
// counter per release: the directory listing is the order.  Files are
// written to a temporary name, synced and renamed, so a crash leaves the
// old state or the new one.
#ifndef KSPLICE_UPDATE_STORE_H
#define KSPLICE_UPDATE_STORE_H

#include <cstdint>
#include <string>
#include <vector>

#include "result.h"

namespace ksplice {

inline constexpr const char *kDefaultStateDir = "/var/lib/ksplice";

struct StoredUpdate {
  std::string id;
  uint64_t order = 0;
  std::string path;  // the package
};

class Store {
 public:
  explicit Store(std::string root = kDefaultStateDir)
      : root_(std::move(root)) {}
  const std::string &root() const { return root_; }
  // Keeps a copy of `package` as update `id` of kernel `release`, after
  // the others; an update stored already keeps its place (and the new
  // package).
  Status add(const std::string &release, const std::string &id,
             const std::string &package) const;
  // Forgets update `id` of `release`; nothing to do if it is not stored.
  Status remove(const std::string &release, const std::string &id) const;
  // The updates stored for `release`, in order; names of another form are
  // ignored.
  std::vector<StoredUpdate> list(const std::string &release) const;
  // The releases that have stored updates, sorted.
  std::vector<std::string> releases() const;

 private:
  std::string dir(const std::string &release) const {
    return root_ + "/" + release;
  }
  std::string root_;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_STORE_H
