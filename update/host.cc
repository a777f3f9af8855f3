#include "host.h"

#include <sys/utsname.h>

#include <cstdlib>
#include <ctime>

#include "fs.h"
#include "module_signature.h"
#include "modules.h"

namespace ksplice {

HostPaths HostPaths::fromEnvironment() {
  HostPaths p;
  if (const char *s = getenv("KSPLICE_SYSFS_ROOT"); s && *s)
    p.sysfsRoot = s;
  if (const char *s = getenv("KSPLICE_RUN_DIR"); s && *s)
    p.runDir = s;
  if (const char *s = getenv("KSPLICE_STATE_DIR"); s && *s)
    p.stateDir = s;
  return p;
}

Status RealHost::loadModule(const std::string &koPath) {
  return ksplice::loadModule(koPath);
}

Status RealHost::unloadModule(const std::string &name) {
  return ksplice::unloadModule(name);
}

Result<std::string> RealHost::kernelRelease() const {
  struct utsname uts;
  if (uname(&uts) != 0)
    return Status::error("uname() failed; cannot tell which kernel is running");
  return std::string(uts.release);
}

std::string RealHost::moduleSignatureEnforcement() const {
  auto read = [](const char *path) {
    auto text = readFile(path);
    return text ? *text : std::string();
  };
  return ksplice::moduleSignatureEnforcement(
      read("/sys/module/module/parameters/sig_enforce"),
      read("/sys/kernel/security/lockdown"));
}

int64_t RealHost::now() const { return int64_t(time(nullptr)); }

uint64_t RealHost::monotonicNs() const {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace ksplice
