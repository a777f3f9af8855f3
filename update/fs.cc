#include "fs.h"

#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ksplice {

static std::string errnoText(int e) { return strerror(e); }

Result<std::string> readFile(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open '" + path + "': " + errnoText(errno));
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int e = errno;
      close(fd);
      return Status::error("cannot read '" + path + "': " + errnoText(e));
    }
    if (n == 0)
      break;
    data.append(buf, size_t(n));
  }
  close(fd);
  return data;
}

Status writeFile(const std::string &path, const std::string &data,
                 unsigned mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return Status::error("cannot create '" + path + "': " + errnoText(errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int e = errno;
      close(fd);
      return Status::error("cannot write '" + path + "': " + errnoText(e));
    }
    off += size_t(n);
  }
  if (close(fd) != 0)
    return Status::error("cannot write '" + path + "': " + errnoText(errno));
  return okStatus();
}

bool pathExists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> listDirectory(const std::string &dir) {
  DIR *d = opendir(dir.c_str());
  if (!d)
    return Status::error("cannot list '" + dir + "': " + errnoText(errno));
  std::vector<std::string> names;
  while (struct dirent *e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..")
      names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Status removeTree(const std::string &path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0)
    return errno == ENOENT ? okStatus()
                           : Status::error("cannot remove '" + path +
                                           "': " + errnoText(errno));
  if (S_ISDIR(st.st_mode)) {
    auto names = listDirectory(path);
    if (!names)
      return names.status();
    for (const auto &n : *names)
      if (Status s = removeTree(path + "/" + n); !s)
        return s;
    if (rmdir(path.c_str()) != 0)
      return Status::error("cannot remove '" + path + "': " + errnoText(errno));
    return okStatus();
  }
  if (unlink(path.c_str()) != 0)
    return Status::error("cannot remove '" + path + "': " + errnoText(errno));
  return okStatus();
}

Status makeDirectories(const std::string &path, unsigned mode) {
  if (path.empty() || isDirectory(path))
    return okStatus();
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0)
    if (Status s = makeDirectories(path.substr(0, slash), mode); !s)
      return s;
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
    return Status::error("cannot create directory '" + path +
                         "': " + errnoText(errno));
  return okStatus();
}

TempDir::~TempDir() {
  if (!path_.empty())
    (void)removeTree(path_);
}

TempDir &TempDir::operator=(TempDir &&o) noexcept {
  if (this != &o) {
    if (!path_.empty())
      (void)removeTree(path_);
    path_ = std::move(o.path_);
    o.path_.clear();
  }
  return *this;
}

Result<TempDir> TempDir::create(const std::string &prefix) {
  const char *tmp = getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix +
                      "XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data()))
    return Status::error("cannot create a temporary directory '" + templ +
                         "': " + errnoText(errno) +
                         "; set TMPDIR to a writable directory");
  TempDir t;
  t.path_ = buf.data();
  return t;
}

static_assert(sizeof(sigset_t) <= 128, "CriticalSection::saved_ too small");

CriticalSection::CriticalSection() {
  sigset_t block;
  sigemptyset(&block);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
    sigaddset(&block, sig);
  sigprocmask(SIG_BLOCK, &block, reinterpret_cast<sigset_t *>(saved_));
}

CriticalSection::~CriticalSection() {
  sigprocmask(SIG_SETMASK, reinterpret_cast<sigset_t *>(saved_), nullptr);
}

}  // namespace ksplice
