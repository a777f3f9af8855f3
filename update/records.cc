#include "records.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fs.h"
#include "manifest.h"
#include "sha256.h"
#include "sysfs.h"

namespace ksplice {
namespace {

bool parseInt(std::string s, int64_t &out) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  if (s.empty() || s.size() > 19)
    return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

RunLock::~RunLock() {
  if (fd_ >= 0)
    close(fd_);
}

Result<RunLock> Records::lock() {
  if (Status s = makeDirectories(root_, 0755); !s)
    return s;
  std::string path = root_ + "/.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::error("cannot open '" + path + "': " + strerror(errno) +
                         (errno == EACCES ? " (run as root)" : ""));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR)
      continue;
    int e = errno;
    close(fd);
    return Status::error("cannot lock '" + path + "': " + strerror(e));
  }
  return RunLock(fd);
}

Result<AppliedRecord> Records::add(const std::string &id,
                                   const std::string &manifestPath,
                                   const std::string &patchPath,
                                   const std::string &module,
                                   int64_t appliedAt) {
  if (!isValidUpdateId(id))
    return Status::error("invalid update id '" + id + "'");
  if (Status s = makeDirectories(root_, 0755); !s)
    return s;
  uint64_t seq = 0;
  for (const auto &r : list())
    if (r.id != id)
      seq = std::max(seq, r.sequence);
  seq++;
  std::string tmp = root_ + "/." + id + ".tmp";
  (void)removeTree(tmp);
  if (Status s = makeDirectories(tmp, 0755); !s)
    return s;
  auto manifest = readFile(manifestPath);
  if (!manifest)
    return manifest.status();
  auto patch = readFile(patchPath);
  if (!patch)
    return patch.status();
  for (auto [name, data] :
       {std::pair<const char *, std::string>{"manifest", *manifest},
        {"patch", *patch},
        {"applied-at", std::to_string(appliedAt) + "\n"},
        {"sequence", std::to_string(seq) + "\n"},
        {"module", module + "\n"}})
    if (Status s = writeFile(tmp + "/" + name, data); !s)
      return s;
  std::string dir = root_ + "/" + id;
  if (Status s = removeTree(dir); !s)
    return s;
  if (rename(tmp.c_str(), dir.c_str()) != 0)
    return Status::error("cannot create '" + dir + "': " + strerror(errno));
  return AppliedRecord{id, seq, appliedAt, module, dir};
}

Result<AppliedRecord> Records::get(const std::string &id) const {
  AppliedRecord r;
  r.id = id;
  r.dir = root_ + "/" + id;
  if (!isValidUpdateId(id) || !isDirectory(r.dir))
    return Status::error("no record of update '" + id + "' in '" + root_ +
                         "'");
  auto seq = readFile(r.dir + "/sequence");
  auto at = readFile(r.dir + "/applied-at");
  int64_t s, a;
  if (!seq || !at || !parseInt(*seq, s) || !parseInt(*at, a))
    return Status::error("record '" + r.dir +
                         "' is damaged (sequence or applied-at missing)");
  r.sequence = uint64_t(s);
  r.appliedAt = a;
  if (auto m = readFile(r.dir + "/module")) {
    r.module = *m;
    while (!r.module.empty() && r.module.back() == '\n')
      r.module.pop_back();
  }
  return r;
}

std::vector<AppliedRecord> Records::list() const {
  std::vector<AppliedRecord> out;
  auto names = listDirectory(root_);
  if (!names)
    return out;
  for (const auto &n : *names)
    if (auto r = get(n))
      out.push_back(*r);
  std::sort(out.begin(), out.end(),
            [](const AppliedRecord &a, const AppliedRecord &b) {
              return a.sequence != b.sequence ? a.sequence < b.sequence
                                              : a.id < b.id;
            });
  return out;
}

Result<std::string> Records::patchText(const std::string &id) const {
  if (!isValidUpdateId(id))
    return Status::error("invalid update id '" + id + "'");
  return readFile(root_ + "/" + id + "/patch");
}

Result<std::string> Records::manifestText(const std::string &id) const {
  if (!isValidUpdateId(id))
    return Status::error("invalid update id '" + id + "'");
  return readFile(root_ + "/" + id + "/manifest");
}

Status Records::remove(const std::string &id) const {
  if (!isValidUpdateId(id))
    return Status::error("invalid update id '" + id + "'");
  return removeTree(root_ + "/" + id);
}

Status Records::setWaitingModules(
    const std::vector<std::string> &modules) const {
  std::string dir = waitingDir();
  if (Status s = removeTree(dir); !s)
    return s;
  if (modules.empty())
    return okStatus();
  if (Status s = makeDirectories(dir); !s)
    return s;
  for (std::string m : modules) {
    std::replace(m.begin(), m.end(), '-', '_');
    if (m.empty() || m.find('/') != std::string::npos || m[0] == '.')
      continue;  // not a module name
    if (Status s = writeFile(dir + "/" + m, ""); !s)
      return s;
  }
  return okStatus();
}

std::vector<std::string> appliedPatchDigests(const Records &records,
                                             const Sysfs &sysfs) {
  std::vector<std::string> out;
  for (const AppliedRecord &r : records.list()) {
    if (!sysfs.hasUpdate(r.id))
      continue;
    auto stage = sysfs.stage(r.id);
    if (!stage || *stage != "applied")
      continue;
    auto patch = records.patchText(r.id);
    if (!patch)
      continue;
    out.push_back(sha256Hex(*patch));
  }
  return out;
}

std::vector<std::string> missingPrerequisites(
    const Manifest &m, const std::vector<std::string> &applied) {
  std::vector<std::string> out;
  for (const std::string &a : m.after)
    if (std::find(applied.begin(), applied.end(), a) == applied.end())
      out.push_back(a);
  return out;
}

Status checkPrerequisites(const Manifest &m, const std::string &package,
                          const Records &records, const Sysfs &sysfs) {
  std::vector<std::string> missing =
      missingPrerequisites(m, appliedPatchDigests(records, sysfs));
  if (missing.empty())
    return okStatus();
  bool one = missing.size() == 1;
  std::string list, ids;
  for (size_t i = 0; i < missing.size(); i++) {
    const char *sep = i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ";
    list += sep + missing[i];
    ids += std::string(sep) + "'" + defaultUpdateIdOfDigest(missing[i]) + "'";
  }
  return Status::error(
      "update '" + m.id + "' in '" + package +
      "' was built on top of (ksplice-create --after) the patch" +
      (one ? "" : "es") + " with sha256 " + list + ", which " +
      (one ? "is" : "are") + " not applied on this host (no applied update "
      "in '" + records.root() + "' was built from " + (one ? "it" : "them") +
      "); nothing was changed: apply the update" + (one ? "" : "s") +
      " built from " + (one ? "that patch" : "those patches, in that order,") +
      " first (" + (one ? "an update built from it without --id is named "
                        : "updates built from them without --id are named ") +
      ids + ")");
}

}  // namespace ksplice
