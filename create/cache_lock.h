//===- cache_lock.h - One ksplice-create at a time per cache ---------------===//
//
// An exclusive flock on CACHE/.lock for the whole run: the farm and the
// work directories are not safe to share between concurrent runs.  The
// lock goes with the process, so a killed run never leaves it held.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_CACHE_LOCK_H
#define KSPLICE_CREATE_CACHE_LOCK_H

#include "build_tree.h"

#include "llvm/Support/Error.h"

#include <string>

namespace ksplice {

class CacheLock {
public:
  CacheLock() = default;
  CacheLock(const CacheLock &) = delete;
  CacheLock &operator=(const CacheLock &) = delete;
  ~CacheLock();
  /// Takes the lock, waiting (and saying so) while another run holds it.
  llvm::Error acquire(const std::string &cacheDir, const Progress &progress);

private:
  int fd = -1;
};

} // namespace ksplice

#endif
