#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>

extern char **environ;

namespace ksplice {
namespace {

// A file descriptor, closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  Fd &operator=(Fd &&o) noexcept {
    reset();
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0)
      close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// pipe2(O_CLOEXEC) into two Fds.
bool makePipe(Fd &readEnd, Fd &writeEnd) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    return false;
  readEnd = Fd(p[0]);
  writeEnd = Fd(p[1]);
  return true;
}

Status errnoError(const std::string &what, int e) {
  return Status::error(what + ": " + strerror(e));
}

// What failed in the child before exec, sent to the parent.
struct ChildError {
  enum Step : int { Redirect, Chdir, Limit, Exec } step;
  int err;
};

// In the child, between fork and exec: only async-signal-safe calls.  On
// failure a ChildError goes to the parent through reportFd, which a
// successful exec closes.
[[noreturn]] void child(const Command &cmd, char *const *argv,
                        char *const *envp, int inFd, int outFd, int errFd,
                        int reportFd) {
  ChildError e{ChildError::Redirect, 0};
  if (dup2(inFd, 0) < 0 || dup2(outFd, 1) < 0 || dup2(errFd, 2) < 0)
    e = {ChildError::Redirect, errno};
  if (!e.err && !cmd.cwd.empty() && chdir(cmd.cwd.c_str()) != 0)
    e = {ChildError::Chdir, errno};
  struct rlimit lim;
  if (!e.err && cmd.maxOutputBytes && getrlimit(RLIMIT_FSIZE, &lim) == 0 &&
      (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > cmd.maxOutputBytes)) {
    lim.rlim_cur = cmd.maxOutputBytes;
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
      e = {ChildError::Limit, errno};
  }
  if (!e.err) {
    signal(SIGPIPE, SIG_DFL);
    execvpe(argv[0], argv, envp);
    e = {ChildError::Exec, errno};
  }
  ssize_t n = write(reportFd, &e, sizeof(e));
  (void)n;
  _exit(127);
}

Status childError(const Command &cmd, const ChildError &e) {
  std::string what = "cannot run '" + cmd.argv[0] + "'";
  switch (e.step) {
    case ChildError::Redirect:
      return errnoError(what + ": redirecting its input or output", e.err);
    case ChildError::Chdir:
      return errnoError(what + " in '" + cmd.cwd + "'", e.err);
    case ChildError::Limit:
      return errnoError(what + ": setting its file size limit", e.err);
    case ChildError::Exec:
      break;
  }
  return errnoError(what, e.err);
}

// Feeds `input` to inFd (if >= 0) and collects outFd until EOF.
void pump(const std::string &input, Fd &in, int outFd, std::string &out) {
  if (input.empty())
    in.reset();
  size_t written = 0;
  char buf[65536];
  for (;;) {
    pollfd fds[2] = {{outFd, POLLIN, 0}, {in.get(), POLLOUT, 0}};
    if (poll(fds, in.valid() ? 2 : 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (in.valid() && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n =
          write(in.get(), input.data() + written, input.size() - written);
      if (n > 0)
        written += size_t(n);
      if ((n < 0 && errno != EINTR && errno != EAGAIN) ||
          written == input.size())
        in.reset();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(outFd, buf, sizeof(buf));
      if (n > 0) {
        out.append(buf, size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      break;  // EOF
    }
  }
  in.reset();
}

}  // namespace

std::string describe(const Command &cmd) {
  std::string s;
  for (const std::string &a : cmd.argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

std::string tailLines(const std::string &text, unsigned n) {
  size_t pos = text.size();
  if (pos && text[pos - 1] == '\n')
    pos--;
  for (unsigned i = 0; i < n && pos != std::string::npos && pos > 0; i++)
    pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

Result<ProcessResult> runProcess(const Command &cmd) {
  if (cmd.argv.empty())
    return Status::error("empty command");
  // Everything the child needs is built before forking.
  std::vector<char *> argv;
  for (const std::string &a : cmd.argv)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envStore;
  for (char **e = environ; *e; e++)
    envStore.emplace_back(*e);
  envStore.insert(envStore.end(), cmd.env.begin(), cmd.env.end());
  std::vector<char *> envp;
  for (std::string &e : envStore)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  Fd inRead, inWrite, outRead, outWrite, reportRead, reportWrite, file;
  if (!makePipe(outRead, outWrite) || !makePipe(reportRead, reportWrite) ||
      !makePipe(inRead, inWrite))
    return errnoError("pipe", errno);
  int childIn = inRead.get(), childOut = outWrite.get();
  if (!cmd.stdinPath.empty()) {
    file = Fd(open(cmd.stdinPath.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file.valid())
      return errnoError("cannot open '" + cmd.stdinPath + "'", errno);
    childIn = file.get();
  }
  Fd outFile;
  if (!cmd.stdoutPath.empty()) {
    outFile = Fd(open(cmd.stdoutPath.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!outFile.valid())
      return errnoError("cannot create '" + cmd.stdoutPath + "'", errno);
    childOut = outFile.get();
  }

  pid_t pid = fork();
  if (pid < 0)
    return errnoError("fork", errno);
  if (pid == 0)
    child(cmd, argv.data(), envp.data(), childIn, childOut, outWrite.get(),
          reportWrite.get());
  // Only the child keeps the write ends, so EOF means it is done.
  reportWrite.reset();
  outWrite.reset();
  inRead.reset();
  file.reset();
  outFile.reset();

  ChildError childErr{};
  ssize_t got;
  do
    got = read(reportRead.get(), &childErr, sizeof(childErr));
  while (got < 0 && errno == EINTR);

  ProcessResult res;
  if (got <= 0) {
    // Non-blocking, so a large input never blocks us while the child
    // waits for us to read its output.
    fcntl(inWrite.get(), F_SETFL, O_NONBLOCK);
    // A child that exits before reading all its input must not kill us.
    struct sigaction ign {}, old {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    pump(cmd.stdinPath.empty() ? cmd.input : std::string(), inWrite,
         outRead.get(), res.output);
    sigaction(SIGPIPE, &old, nullptr);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (got > 0)
    return childError(cmd, childErr);
  if (WIFEXITED(status))
    res.status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    res.status = 128 + WTERMSIG(status);
  return res;
}

}  // namespace ksplice
