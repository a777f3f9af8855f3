//===- process.cc - Run a command, wait, collect its output ---------------===//
#include "process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ksplice {

using llvm::createStringError;
using llvm::inconvertibleErrorCode;

std::string describe(const Command &cmd) {
  std::string s;
  for (const std::string &a : cmd.argv) {
    if (!s.empty())
      s += ' ';
    s += a;
  }
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

// Everything between fork and exec must be async-signal-safe: the argv and
// envp arrays are built before forking.
llvm::Expected<ProcessResult> run(const Command &cmd) {
  if (cmd.argv.empty())
    return createStringError(inconvertibleErrorCode(), "empty command");
  std::vector<char *> argv;
  for (const std::string &a : cmd.argv)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envStore;
  for (char **e = environ; *e; e++)
    envStore.emplace_back(*e);
  for (const std::string &e : cmd.env)
    envStore.push_back(e);
  std::vector<char *> envp;
  for (std::string &e : envStore)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2], in[2];
  if (pipe2(out, O_CLOEXEC) || pipe2(in, O_CLOEXEC))
    return createStringError(std::error_code(errno, std::generic_category()),
                             "pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0)
    return createStringError(std::error_code(errno, std::generic_category()),
                             "fork: %s", strerror(errno));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    if (!cmd.cwd.empty() && chdir(cmd.cwd.c_str()) != 0)
      _exit(127);
    execvpe(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(in[0]);

  ProcessResult res;
  size_t written = 0;
  int inFd = in[1];
  if (cmd.input.empty()) {
    close(inFd);
    inFd = -1;
  }
  signal(SIGPIPE, SIG_IGN);
  char buf[65536];
  for (;;) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {inFd, POLLOUT, 0}};
    if (poll(fds, inFd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (inFd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(inFd, cmd.input.data() + written,
                        cmd.input.size() - written);
      if (n > 0)
        written += n;
      if (n < 0 || written == cmd.input.size()) {
        close(inFd);
        inFd = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(out[0], buf, sizeof(buf));
      if (n > 0) {
        res.output.append(buf, n);
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      break; // EOF
    }
  }
  if (inFd >= 0)
    close(inFd);
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status))
    res.status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    res.status = 128 + WTERMSIG(status);
  if (res.status == 127 && res.output.empty())
    return createStringError(inconvertibleErrorCode(), "cannot run '%s'",
                             cmd.argv[0].c_str());
  return res;
}

} // namespace ksplice
