// A fake Host for in-process tests of the apply, undo and list
// transactions: the loader's sysfs files answered from memory, kernel
// modules that register updates when "loaded", records in a temporary
// directory, and a switch for every failure a transaction must roll back
// from.  Everything the transaction does to the fake is logged, in order.
#ifndef KSPLICE_TESTS_UPDATE_FAKE_HOST_H
#define KSPLICE_TESTS_UPDATE_FAKE_HOST_H

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host.h"

namespace ksplice::test {

// How the fake loader answers a write of "apply", "check" or "undo".
struct LoaderAnswer {
  std::string cause = "none";   // left in abort_cause
  std::string conflicts;        // text of conflicts
  std::string detail;           // text of detail (if the core has it)
  uint64_t pauseNs = 1000;      // left in pause_ns
  bool writeFails = false;      // the write returns an error even with
                                // cause "none" (a loader bug)
  bool writeOk = false;         // the write succeeds even with a cause
};

// One update registered in the fake loader.
struct FakeUpdate {
  std::string stage = "loaded";
  std::string cause = "none";
  std::string description;
  std::string functions;  // "name object" lines
  std::string conflicts;
  std::string detail;
  std::string match;
  std::string timings;
  uint64_t pauseNs = 0;
  unsigned retries = 5;
  std::string module;  // the module that registered it
};

class FakeLoader : public Sysfs {
 public:
  explicit FakeLoader(std::vector<std::string> &log)
      : Sysfs("/fake/sys/kernel/ksplice"), log_(log) {}

  bool up = false;  // the core's directory exists
  // Mutable: the Sysfs interface is const, a write changes the loader.
  mutable std::map<std::string, FakeUpdate> updates;
  // The loader's answer to "<id>/<action>"; the default is success (or
  // bad_state when the stage does not fit the action, as in the loader).
  std::map<std::string, LoaderAnswer> answers;
  // A core from before these files existed: reading them finds nothing.
  bool hasDetail = true, hasMatch = true, hasTimings = true;
  // refused_load (the core's last refusal to load a patch module), or none
  // (a core from before the file existed).
  std::optional<std::string> refusedLoad = std::string();
  // "<id>/<file>" that cannot be read, or written.
  std::set<std::string> unreadable, unwritable;
  // "<id>/<file>" that takes this many more writes, then refuses them.
  mutable std::map<std::string, int> writesAllowed;

 protected:
  Result<std::string> readText(const std::string &path) const override;
  Status writeText(const std::string &path,
                   const std::string &text) const override;
  bool isDir(const std::string &path) const override;
  bool exists(const std::string &path) const override;
  Result<std::vector<std::string>> listDir(
      const std::string &dir) const override;

 private:
  // "id", "file" of root()/id/file; false for other paths.
  bool split(const std::string &path, std::string &id,
             std::string &file) const;
  // The loader's side of a stage write.
  Status act(const std::string &id, FakeUpdate &u,
             const std::string &action) const;
  std::vector<std::string> &log_;
};

// Records in a real directory, with failures on demand.
class FakeRecords : public Records {
 public:
  using Records::Records;
  std::optional<Status> lockFails, addFails, removeFails;
  Result<RunLock> lock() override;
  Result<AppliedRecord> add(const std::string &id,
                            const std::string &manifestPath,
                            const std::string &patchPath,
                            const std::string &module,
                            int64_t appliedAt) override;
  Status remove(const std::string &id) const override;
};

class FakeHost : public Host {
 public:
  // Records under `runDir` (a temporary directory the test owns), the
  // updates kept for reboots under `stateDir` (default: runDir.state).
  explicit FakeHost(const std::string &runDir, std::string stateDir = "");

  // Module name -> the update id its init registers (patch modules).  A
  // module loaded that is neither this nor the core registers nothing.
  std::map<std::string, std::string> registers;
  std::string coreName = "ksplice";
  bool coreMakesSysfs = true;  // loading the core creates the directory
  std::map<std::string, Status> loadFails, unloadFails;  // by module name
  std::set<std::string> loaded;                          // module names
  std::optional<std::string> release = std::string("6.1.0-test");
  std::string sigEnforcement;  // moduleSignatureEnforcement()
  // "load NAME", "unload NAME", "write ID/FILE VALUE", in order.
  std::vector<std::string> log;
  FakeLoader loader{log};
  FakeRecords fakeRecords;
  Store fakeStore;

  const Sysfs &sysfs() const override { return loader; }
  Records &records() override { return fakeRecords; }
  const Records &records() const override { return fakeRecords; }
  const Store &store() const override { return fakeStore; }
  Status loadModule(const std::string &koPath) override;
  Status unloadModule(const std::string &name) override;
  Result<std::string> kernelRelease() const override;
  std::string moduleSignatureEnforcement() const override {
    return sigEnforcement;
  }
  int64_t now() const override { return 1795000000; }
  // 1 µs per call, from 0: phase times are deterministic.
  uint64_t monotonicNs() const override { return clock_ += 1000; }

  // An update that is there already (loaded by other means).
  FakeUpdate &addUpdate(const std::string &id, const std::string &stage,
                        const std::string &module);

 private:
  mutable uint64_t clock_ = 0;
};

}  // namespace ksplice::test

#endif
