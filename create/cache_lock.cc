//===- cache_lock.cc - One ksplice-create at a time per cache --------------===//
#include "cache_lock.h"
#include "error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace ksplice {

CacheLock::~CacheLock() {
  if (fd >= 0)
    close(fd);
}

llvm::Error CacheLock::acquire(const std::string &cacheDir,
                               const Progress &progress) {
  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  std::string path = cacheDir + "/.lock";
  fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail("cannot open '" + path + "': " + strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) == 0)
    return llvm::Error::success();
  progress("waiting for another ksplice-create using " + cacheDir);
  while (flock(fd, LOCK_EX) != 0)
    if (errno != EINTR)
      return fail("cannot lock '" + path + "': " + strerror(errno));
  return llvm::Error::success();
}

} // namespace ksplice
