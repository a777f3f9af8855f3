// ksplice-view's transaction: what the kernel and the records say about
// each update, newest first.  Reads only; no lock.
#ifndef KSPLICE_UPDATE_LIST_H
#define KSPLICE_UPDATE_LIST_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host.h"

namespace ksplice {

struct UpdateView {
  std::string id;
  std::string stage;  // from sysfs, or "not-loaded" for a stale record
  std::string description;
  std::optional<AppliedRecord> record;
  std::vector<LoadedFunction> functions;
  std::vector<LoadedHook> hooks;     // from sysfs, for a loaded update
  std::vector<LoadedTarget> targets; // from sysfs, for a loaded update
  std::optional<uint64_t> pauseNs;   // a non-zero pause_ns
  std::optional<std::string> patch;  // viewUpdate() only, when recorded
};

// The ids of the recorded updates, newest (highest sequence) first, then
// those the kernel has without a record, by id.
Result<std::vector<std::string>> updatesNewestFirst(const Host &host);

// Every update, newest first.
Result<std::vector<UpdateView>> listUpdates(const Host &host);
// One update, with its recorded patch.
Result<UpdateView> viewUpdate(const Host &host, const std::string &id);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_LIST_H
