// Client of the loader's sysfs interface, /sys/kernel/ksplice/<id>/
// (loader-kmod/core/core.c).  The root is injectable so tests can fake it
// in a temporary directory.
#ifndef KSPLICE_UPDATE_SYSFS_H
#define KSPLICE_UPDATE_SYSFS_H

#include <cstdint>
#include <string>
#include <vector>

#include "result.h"

namespace ksplice {

inline constexpr const char *kDefaultSysfsRoot = "/sys/kernel/ksplice";

// One line of `conflicts`: "pid comm function", "pid comm (running)",
// "pid comm (unreliable-stack)".  comm may contain spaces.
struct Conflict {
  enum Kind { InFunction, Running, UnreliableStack };
  int pid = 0;
  std::string comm;
  std::string function;  // InFunction only
  Kind kind = InFunction;
};

struct Conflicts {
  std::vector<Conflict> tasks;
  bool truncated = false;  // the loader printed "..."
};

// One line of `functions`: "name object".
struct LoadedFunction {
  std::string name;
  std::string object;  // the unit's target: vmlinux or a module name
};

// "task 'comm' (pid N) is running 'function'" and the like.
std::string describeConflict(const Conflict &c);
Result<Conflicts> parseConflicts(const std::string &text);

class Sysfs {
 public:
  explicit Sysfs(std::string root = kDefaultSysfsRoot)
      : root_(std::move(root)) {}
  const std::string &root() const { return root_; }

  // The core module's directory exists.
  bool coreLoaded() const;
  bool hasUpdate(const std::string &id) const;
  // Ids of the registered updates, sorted.
  Result<std::vector<std::string>> updates() const;

  Result<std::string> stage(const std::string &id) const;
  Result<std::string> abortCause(const std::string &id) const;
  Result<std::string> description(const std::string &id) const;
  Result<uint64_t> pauseNs(const std::string &id) const;
  Result<unsigned> retries(const std::string &id) const;
  Result<std::vector<LoadedFunction>> functions(const std::string &id) const;
  Result<Conflicts> conflicts(const std::string &id) const;

  Status setRetries(const std::string &id, unsigned retries) const;
  // Writes "apply", "check" or "undo" to stage; blocks until the loader is
  // done.  A failure carries the write's errno text; read abortCause() for
  // the reason.
  Status writeStage(const std::string &id, const std::string &action) const;

 private:
  std::string file(const std::string &id, const char *name) const {
    return root_ + "/" + id + "/" + name;
  }
  // A one-line attribute without its trailing newline.
  Result<std::string> readLine(const std::string &id, const char *name) const;
  Status writeAttr(const std::string &id, const char *name,
                   const std::string &value) const;
  std::string root_;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_SYSFS_H
