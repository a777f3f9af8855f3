// Client of the loader's sysfs interface, /sys/kernel/ksplice/<id>/
// (loader-kmod/core/core.c, docs/loader.md).  All its I/O goes through four
// protected primitives on paths under root(): the real ones use the file
// system (tests may point root at a temporary directory), and a fake
// loader overrides them to answer from memory (tests/update/fake_host.h).
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

// One line of `hooks`: "kind function" (kind: pre_apply, apply, ...).
struct LoadedHook {
  std::string kind;
  std::string function;
};

// One line of `targets`: "name state [token]".  state: loaded-patched,
// waiting (a module not loaded: patched when it loads), refused (its last
// load was refused, token says why), unpatched (the update is not applied).
struct LoadedTarget {
  std::string name;  // vmlinux or a module name
  std::string state;
  std::string token;  // refused only
};

// "task 'comm' (pid N) is running 'function'" and the like.
std::string describeConflict(const Conflict &c);
Result<Conflicts> parseConflicts(const std::string &text);

class Sysfs {
 public:
  explicit Sysfs(std::string root = kDefaultSysfsRoot)
      : root_(std::move(root)) {}
  virtual ~Sysfs() = default;
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
  // The patch's hooks in the order the loader lists them; empty when the
  // core has no such file (a core from before hooks).
  Result<std::vector<LoadedHook>> hooks(const std::string &id) const;
  // Per target, where the update stands with it; empty when the core has
  // no such file (a core from before module targets could wait).
  Result<std::vector<LoadedTarget>> targets(const std::string &id) const;
  Result<Conflicts> conflicts(const std::string &id) const;
  // The loader's detail on the last action: after a failure, what it found
  // (for no_match: unit, function, offset, the bytes expected and found);
  // empty after a success.  Empty too when the core has no such file (a
  // core from before it existed).
  Result<std::vector<std::string>> detail(const std::string &id) const;
  // Why the core last refused to load a patch module (the kernel reads the
  // module's tables before its init registers an update): "MODULE TOKEN",
  // then the detail; empty when it refused none, or has no such file.
  Result<std::vector<std::string>> refusedLoad() const;
  // Per-unit run-pre match counts of the last apply or check; empty when
  // the core has no such file.
  Result<std::vector<std::string>> match(const std::string &id) const;
  // The loader's time for each of its phases of the last action, lines
  // "phase ns"; empty when the core has no such file.
  Result<std::vector<std::string>> timings(const std::string &id) const;

  Status setRetries(const std::string &id, unsigned retries) const;
  // Writes "apply", "check" or "undo" to stage; blocks until the loader is
  // done.  A failure carries the write's errno text; read abortCause() for
  // the reason.
  Status writeStage(const std::string &id, const std::string &action) const;

 protected:
  // The file system under root(), the only I/O of this class.  Errors name
  // the path (and say "run as root" when permission was denied).
  virtual Result<std::string> readText(const std::string &path) const;
  // Writes `text` in one write(2), as a shell redirection does.
  virtual Status writeText(const std::string &path,
                           const std::string &text) const;
  virtual bool isDir(const std::string &path) const;
  virtual bool exists(const std::string &path) const;
  // Names in `dir`, sorted.
  virtual Result<std::vector<std::string>> listDir(
      const std::string &dir) const;

 private:
  std::string file(const std::string &id, const char *name) const {
    return root_ + "/" + id + "/" + name;
  }
  // A one-line attribute without its trailing newline.
  Result<std::string> readLine(const std::string &id, const char *name) const;
  // The lines of an attribute newer cores have; none if it is absent.
  Result<std::vector<std::string>> optionalLines(const std::string &id,
                                                 const char *name) const;
  Result<std::vector<std::string>> optionalLinesAt(
      const std::string &path) const;
  Status writeAttr(const std::string &id, const char *name,
                   const std::string &value) const;
  std::string root_;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_SYSFS_H
