// Small file-system helpers for libksplice_update.
#ifndef KSPLICE_UPDATE_FS_H
#define KSPLICE_UPDATE_FS_H

#include <cstdint>
#include <string>
#include <vector>

#include "result.h"

namespace ksplice {

Result<std::string> readFile(const std::string &path);
// Creates or truncates `path` with `mode` and writes `data`.
Status writeFile(const std::string &path, const std::string &data,
                 unsigned mode = 0644);
bool pathExists(const std::string &path);
bool isDirectory(const std::string &path);
// Names in `dir` (no "." or ".."), sorted.
Result<std::vector<std::string>> listDirectory(const std::string &dir);
// rm -rf, without following symlinks.
Status removeTree(const std::string &path);
Status makeDirectories(const std::string &path, unsigned mode = 0755);

// A directory from mkdtemp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() = default;
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  TempDir(TempDir &&o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir &operator=(TempDir &&o) noexcept;
  ~TempDir();
  // Under $TMPDIR (or /tmp), named <prefix>XXXXXX.
  static Result<TempDir> create(const std::string &prefix);
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

// Blocks SIGINT, SIGTERM, SIGHUP and SIGQUIT while alive, so that a tool
// is not killed between changing the kernel and recording or undoing the
// change; pending signals are delivered on destruction.
class CriticalSection {
 public:
  CriticalSection();
  ~CriticalSection();
  CriticalSection(const CriticalSection &) = delete;
  CriticalSection &operator=(const CriticalSection &) = delete;

 private:
  unsigned char saved_[128];  // sigset_t, kept opaque here
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_FS_H
