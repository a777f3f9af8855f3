// The machine the apply, undo and list transactions run on: the loader's
// sysfs interface, the records under /run/ksplice, the updates kept for
// reboots under /var/lib/ksplice, kernel modules, the kernel's release and
// the clocks.  RealHost is this machine; the tests'
// FakeHost (tests/update/fake_host.h) plays the loader in memory, so every
// path of a transaction, the rollbacks included, runs in-process.
#ifndef KSPLICE_UPDATE_HOST_H
#define KSPLICE_UPDATE_HOST_H

#include <cstdint>
#include <string>

#include "records.h"
#include "result.h"
#include "store.h"
#include "sysfs.h"

namespace ksplice {

class Host {
 public:
  virtual ~Host() = default;
  // /sys/kernel/ksplice.
  virtual const Sysfs &sysfs() const = 0;
  // /run/ksplice.
  virtual Records &records() = 0;
  virtual const Records &records() const = 0;
  // /var/lib/ksplice.
  virtual const Store &store() const = 0;
  // finit_module(koPath); errors in the user's terms.
  virtual Status loadModule(const std::string &koPath) = 0;
  // delete_module(name, O_NONBLOCK).
  virtual Status unloadModule(const std::string &name) = 0;
  // uname -r.
  virtual Result<std::string> kernelRelease() const = 0;
  // Why the kernel loads only signed modules, or "" (module_signature.h).
  virtual std::string moduleSignatureEnforcement() const = 0;
  // Seconds since the epoch (a record's applied-at).
  virtual int64_t now() const = 0;
  // A monotonic clock in nanoseconds (the phase timings).
  virtual uint64_t monotonicNs() const = 0;
};

// Where the tools look.  fromEnvironment() honours KSPLICE_SYSFS_ROOT,
// KSPLICE_RUN_DIR and KSPLICE_STATE_DIR, which exist for tests only.
struct HostPaths {
  std::string sysfsRoot = kDefaultSysfsRoot;
  std::string runDir = kDefaultRunDir;
  std::string stateDir = kDefaultStateDir;
  static HostPaths fromEnvironment();
};

class RealHost final : public Host {
 public:
  explicit RealHost(const HostPaths &paths = HostPaths::fromEnvironment())
      : sysfs_(paths.sysfsRoot), records_(paths.runDir),
        store_(paths.stateDir) {}
  const Sysfs &sysfs() const override { return sysfs_; }
  Records &records() override { return records_; }
  const Records &records() const override { return records_; }
  const Store &store() const override { return store_; }
  Status loadModule(const std::string &koPath) override;
  Status unloadModule(const std::string &name) override;
  Result<std::string> kernelRelease() const override;
  std::string moduleSignatureEnforcement() const override;
  int64_t now() const override;
  uint64_t monotonicNs() const override;

 private:
  Sysfs sysfs_;
  Records records_;
  Store store_;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_HOST_H
