// `ksplice-apply --boot`, run by ksplice-boot.service early at boot: apply
// again, in their original order, the updates kept for exactly the running
// kernel (update/store.h), each by applyUpdate() as if ksplice-apply ran on
// it; list, and leave alone, those kept for other kernels.  A failure does
// not stop the others: each later update is checked on its own (one built
// --after a failed one is refused as missing_prerequisite).  Run again, it
// leaves the applied ones as they are and retries the others.
//
// An update that must find a module loaded (target_not_loaded: hooks, or
// the module's own static keys) waits, as in a series (series.h), and so
// does one built on it (missing_prerequisite after it); they are not
// failures.  The modules they wait for are marked in /run/ksplice/.waiting/
// (records.h), and the udev rule packaging/60-ksplice.rules runs
// ksplice-boot.service again when one of them loads.
#ifndef KSPLICE_UPDATE_BOOT_H
#define KSPLICE_UPDATE_BOOT_H

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "apply.h"
#include "host.h"
#include "report.h"

namespace ksplice {

struct BootReport {
  std::string release;                // uname -r
  std::string storeRoot;              // /var/lib/ksplice
  std::vector<ApplyReport> updates;   // those kept for it, in order
  // Per update: the module it waits for ("" if the loader did not say, or
  // built on one that waits), if it waits.
  std::vector<std::optional<std::string>> waitingFor;
  struct OtherKernel {
    std::string release;
    std::vector<std::string> ids;     // in order
  };
  std::vector<OtherKernel> skipped;   // kept for other kernels
  std::optional<Failure> failure;     // before any update (uname)

  // Updates that did not apply (already applied ones did), and do not
  // wait.
  size_t failed() const;
  size_t waiting() const;
  // What failed to mark the modules waited for, if anything did.
  std::string markError;
};

BootReport bootUpdates(Host &host, const TrustPolicy &trust = {});

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_BOOT_H
