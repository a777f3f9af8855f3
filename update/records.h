// The record of applied updates under /run/ksplice/<id>/: manifest, patch,
// applied-at (seconds since the epoch), sequence (1, 2, ...: the order of
// applying, so `ksplice-undo --all` can go newest first) and module (the
// patch module's name, for unloading it after undo); and .waiting/.
#ifndef KSPLICE_UPDATE_RECORDS_H
#define KSPLICE_UPDATE_RECORDS_H

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "result.h"

namespace ksplice {

inline constexpr const char *kDefaultRunDir = "/run/ksplice";

struct AppliedRecord {
  std::string id;
  uint64_t sequence = 0;
  int64_t appliedAt = 0;
  std::string module;  // the patch module's name
  std::string dir;
};

// An exclusive flock on <runDir>/.lock, released on destruction.
class RunLock {
 public:
  RunLock() = default;
  explicit RunLock(int fd) : fd_(fd) {}
  RunLock(RunLock &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RunLock &operator=(RunLock &&) = delete;
  RunLock(const RunLock &) = delete;
  ~RunLock();

 private:
  int fd_ = -1;
};

// The records in the file system under root().  The three that change
// something are virtual, so tests can make them fail.
class Records {
 public:
  explicit Records(std::string runDir = kDefaultRunDir)
      : root_(std::move(runDir)) {}
  virtual ~Records() = default;
  const std::string &root() const { return root_; }
  // Serializes the tools: waits until no other ksplice-apply/-undo holds
  // the lock.
  virtual Result<RunLock> lock();
  // Records `id` as applied at `appliedAt`, with the next sequence number;
  // copies `manifestPath` and `patchPath`.  Replaces an older record of
  // `id`.
  virtual Result<AppliedRecord> add(const std::string &id,
                                    const std::string &manifestPath,
                                    const std::string &patchPath,
                                    const std::string &module,
                                    int64_t appliedAt);
  // All records, oldest (lowest sequence) first.  Malformed entries are
  // skipped.
  std::vector<AppliedRecord> list() const;
  // The record of `id`, if any.
  Result<AppliedRecord> get(const std::string &id) const;
  Result<std::string> patchText(const std::string &id) const;
  Result<std::string> manifestText(const std::string &id) const;
  virtual Status remove(const std::string &id) const;
  // The modules that kept updates wait for (boot.h): an empty file per
  // module under .waiting/, named as /sys/module names it, for the udev
  // rule that runs `ksplice-apply --boot` again when one loads
  // (packaging/60-ksplice.rules).  Replaces the former set.
  Status setWaitingModules(const std::vector<std::string> &modules) const;
  std::string waitingDir() const { return root_ + "/.waiting"; }

 private:
  std::string root_;
};

class Sysfs;
struct Manifest;

// The sha256 of the patch of every update applied on this host now: those
// recorded under records.root() whose update is in sysfs stage "applied"
// (a record without a loaded, applied update, e.g. left from a failed
// undo, does not count).  In the records' order.
std::vector<std::string> appliedPatchDigests(const Records &records,
                                             const Sysfs &sysfs);

// The "after" digests of `m` that are not in `applied`, in manifest order.
// Only the applied updates' own patches count, not their "after" lines:
// ksplice-create records every --after patch, so each update lists the
// whole series below it.
std::vector<std::string> missingPrerequisites(
    const Manifest &m, const std::vector<std::string> &applied);

// An error if an "after" patch of `m` (read from `package`) is not applied
// on this host, naming the missing patches by sha256; ok otherwise.
Status checkPrerequisites(const Manifest &m, const std::string &package,
                          const Records &records, const Sysfs &sysfs);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_RECORDS_H
