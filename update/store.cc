#include "store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "fs.h"
#include "update_id.h"

namespace ksplice {
namespace {

constexpr const char *kSuffix = ".tar.gz";
constexpr size_t kOrderDigits = 6;

// "<order>-<id>.tar.gz" -> order and id; false for any other name.
bool parseName(const std::string &name, StoredUpdate &u) {
  size_t suffix = strlen(kSuffix);
  if (name.size() <= kOrderDigits + 1 + suffix || name[kOrderDigits] != '-' ||
      name.compare(name.size() - suffix, suffix, kSuffix) != 0)
    return false;
  uint64_t order = 0;
  for (size_t i = 0; i < kOrderDigits; i++) {
    if (name[i] < '0' || name[i] > '9')
      return false;
    order = order * 10 + uint64_t(name[i] - '0');
  }
  std::string id = name.substr(kOrderDigits + 1,
                               name.size() - kOrderDigits - 1 - suffix);
  if (!checkUpdateId(id))
    return false;
  u.order = order;
  u.id = std::move(id);
  return true;
}

std::string fileName(uint64_t order, const std::string &id) {
  char digits[kOrderDigits + 1];
  snprintf(digits, sizeof(digits), "%06llu", (unsigned long long)order);
  return std::string(digits) + "-" + id + kSuffix;
}

// fsync(2) of a file or directory, so that a rename survives a crash.
Status syncPath(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    Status s = Status::error("cannot sync '" + path + "': " + strerror(errno));
    if (fd >= 0)
      close(fd);
    return s;
  }
  close(fd);
  return okStatus();
}

}  // namespace

std::vector<StoredUpdate> Store::list(const std::string &release) const {
  std::vector<StoredUpdate> out;
  auto names = listDirectory(dir(release));
  if (!names)
    return out;
  for (const std::string &name : *names) {  // sorted: in order
    StoredUpdate u;
    if (parseName(name, u)) {
      u.path = dir(release) + "/" + name;
      out.push_back(std::move(u));
    }
  }
  return out;
}

std::vector<std::string> Store::releases() const {
  std::vector<std::string> out;
  auto names = listDirectory(root_);
  if (!names)
    return out;
  for (const std::string &name : *names)
    if (name[0] != '.' && !list(name).empty())
      out.push_back(name);
  return out;
}

Status Store::add(const std::string &release, const std::string &id,
                  const std::string &package) const {
  std::vector<StoredUpdate> stored = list(release);
  uint64_t order = stored.empty() ? 1 : stored.back().order + 1;
  std::string old;
  for (const StoredUpdate &u : stored)
    if (u.id == id) {
      order = u.order;
      old = u.path;
    }
  if (old == package)  // the stored package itself (ksplice-apply --boot)
    return okStatus();
  std::string where = "cannot keep update '" + id + "' for reboots in '" +
                      dir(release) + "'";
  if (Status s = makeDirectories(dir(release), 0700); !s)
    return s.context(where);
  auto data = readFile(package);
  if (!data)
    return Status(data.status()).context(where);
  std::string path = dir(release) + "/" + fileName(order, id);
  std::string tmp = dir(release) + "/.tmp-" + id;
  if (Status s = writeFile(tmp, *data, 0600); !s)
    return s.context(where);
  if (Status s = syncPath(tmp); !s)
    return s.context(where);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::error("cannot rename '" + tmp + "' to '" + path +
                             "': " + strerror(errno));
    unlink(tmp.c_str());
    return s.context(where);
  }
  return syncPath(dir(release)).context(where);
}

Status Store::remove(const std::string &release, const std::string &id) const {
  for (const StoredUpdate &u : list(release)) {
    if (u.id != id)
      continue;
    if (unlink(u.path.c_str()) != 0)
      return Status::error("cannot remove '" + u.path + "': " +
                           strerror(errno) +
                           "; it will be applied again at boot: remove it "
                           "by hand");
    // An empty directory of this release goes too (rmdir fails otherwise).
    rmdir(dir(release).c_str());
    return syncPath(root_);
  }
  return okStatus();
}

}  // namespace ksplice
