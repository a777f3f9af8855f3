#include "sysfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "fs.h"

namespace ksplice {
namespace {

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos)
      nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

bool parseUnsigned(const std::string &s, uint64_t &out) {
  if (s.empty())
    return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    if (out > (UINT64_MAX - 9) / 10)
      return false;
    out = out * 10 + uint64_t(c - '0');
  }
  return true;
}

}  // namespace

std::string describeConflict(const Conflict &c) {
  std::string who = "task '" + c.comm + "' (pid " + std::to_string(c.pid) + ")";
  switch (c.kind) {
    case Conflict::Running:
      return who + " was running on another CPU and could not be checked";
    case Conflict::UnreliableStack:
      return who + " has a stack that cannot be walked reliably";
    case Conflict::InFunction:
      break;
  }
  return who + " is running '" + c.function + "'";
}

Result<Conflicts> parseConflicts(const std::string &text) {
  Conflicts out;
  for (const std::string &line : splitLines(text)) {
    if (line.empty())
      continue;
    if (line == "...") {
      out.truncated = true;
      continue;
    }
    size_t first = line.find(' ');
    size_t last = line.rfind(' ');
    uint64_t pid;
    if (first == std::string::npos || last == first ||
        !parseUnsigned(line.substr(0, first), pid) || pid > INT32_MAX)
      return Status::error("conflicts line '" + line +
                           "' is not 'pid comm function'");
    Conflict c;
    c.pid = int(pid);
    c.comm = line.substr(first + 1, last - first - 1);
    std::string what = line.substr(last + 1);
    if (what == "(running)")
      c.kind = Conflict::Running;
    else if (what == "(unreliable-stack)")
      c.kind = Conflict::UnreliableStack;
    else
      c.function = what;
    out.tasks.push_back(std::move(c));
  }
  return out;
}

Result<std::string> Sysfs::readText(const std::string &path) const {
  auto text = readFile(path);
  if (!text && (errno == EACCES || errno == EPERM))
    return Status::error(text.message() + " (run as root)");
  return text;
}

Status Sysfs::writeText(const std::string &path,
                        const std::string &text) const {
  // O_TRUNC as a shell redirection does: harmless on sysfs, and right for
  // the fake trees of the tests.
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open '" + path + "' for writing: " +
                         strerror(errno) +
                         (errno == EACCES || errno == EPERM ? " (run as root)"
                                                            : ""));
  ssize_t n;
  do {
    n = write(fd, text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  int e = errno;
  close(fd);
  std::string value = text.substr(0, text.find('\n'));
  if (n < 0)
    return Status::error("writing '" + value + "' to '" + path +
                         "' failed: " + strerror(e));
  if (size_t(n) != text.size())
    return Status::error("writing '" + value + "' to '" + path +
                         "' was cut short");
  return okStatus();
}

bool Sysfs::isDir(const std::string &path) const { return isDirectory(path); }

bool Sysfs::exists(const std::string &path) const { return pathExists(path); }

Result<std::vector<std::string>> Sysfs::listDir(const std::string &dir) const {
  return listDirectory(dir);
}

bool Sysfs::coreLoaded() const { return isDir(root_); }

bool Sysfs::hasUpdate(const std::string &id) const {
  return isDir(root_ + "/" + id);
}

Result<std::vector<std::string>> Sysfs::updates() const {
  if (!coreLoaded())
    return std::vector<std::string>();
  auto names = listDir(root_);
  if (!names)
    return names.status();
  std::vector<std::string> ids;
  for (const auto &n : *names)
    if (isDir(root_ + "/" + n))
      ids.push_back(n);
  return ids;
}

Result<std::string> Sysfs::readLine(const std::string &id,
                                    const char *name) const {
  auto text = readText(file(id, name));
  if (!text)
    return text.status();
  std::string v = *text;
  if (!v.empty() && v.back() == '\n')
    v.pop_back();
  return v;
}

Result<std::vector<std::string>> Sysfs::optionalLines(const std::string &id,
                                                      const char *name) const {
  return optionalLinesAt(file(id, name));
}

Result<std::vector<std::string>> Sysfs::optionalLinesAt(
    const std::string &path) const {
  if (!exists(path))
    return std::vector<std::string>();
  auto text = readText(path);
  if (!text)
    return text.status();
  std::vector<std::string> lines;
  for (std::string &line : splitLines(*text))
    if (!line.empty())
      lines.push_back(std::move(line));
  return lines;
}

Status Sysfs::writeAttr(const std::string &id, const char *name,
                        const std::string &value) const {
  return writeText(file(id, name), value + "\n");
}

Result<std::string> Sysfs::stage(const std::string &id) const {
  return readLine(id, "stage");
}

Result<std::string> Sysfs::abortCause(const std::string &id) const {
  return readLine(id, "abort_cause");
}

Result<std::string> Sysfs::description(const std::string &id) const {
  return readLine(id, "description");
}

Result<uint64_t> Sysfs::pauseNs(const std::string &id) const {
  auto v = readLine(id, "pause_ns");
  if (!v)
    return v.status();
  uint64_t n;
  if (!parseUnsigned(*v, n))
    return Status::error("'" + file(id, "pause_ns") + "' holds '" + *v +
                         "', not a number");
  return n;
}

Result<unsigned> Sysfs::retries(const std::string &id) const {
  auto v = readLine(id, "retries");
  if (!v)
    return v.status();
  uint64_t n;
  if (!parseUnsigned(*v, n) || n > UINT32_MAX)
    return Status::error("'" + file(id, "retries") + "' holds '" + *v +
                         "', not a number");
  return unsigned(n);
}

Result<std::vector<LoadedFunction>> Sysfs::functions(
    const std::string &id) const {
  auto text = readText(file(id, "functions"));
  if (!text)
    return text.status();
  std::vector<LoadedFunction> out;
  for (const std::string &line : splitLines(*text)) {
    if (line.empty())
      continue;
    size_t sp = line.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == line.size() ||
        line.find(' ', sp + 1) != std::string::npos)
      return Status::error("'" + file(id, "functions") + "': line '" + line +
                           "' is not 'name object'");
    out.push_back({line.substr(0, sp), line.substr(sp + 1)});
  }
  return out;
}

Result<std::vector<LoadedHook>> Sysfs::hooks(const std::string &id) const {
  auto lines = optionalLines(id, "hooks");
  if (!lines)
    return lines.status();
  std::vector<LoadedHook> out;
  for (const std::string &line : *lines) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == line.size())
      return Status::error("'" + file(id, "hooks") + "': line '" + line +
                           "' is not 'kind function'");
    out.push_back({line.substr(0, sp), line.substr(sp + 1)});
  }
  return out;
}

Result<std::vector<LoadedTarget>> Sysfs::targets(const std::string &id) const {
  auto lines = optionalLines(id, "targets");
  if (!lines)
    return lines.status();
  std::vector<LoadedTarget> out;
  for (const std::string &line : *lines) {
    std::istringstream in(line);
    LoadedTarget t;
    std::string extra;
    in >> t.name >> t.state;
    if (t.state == "refused")
      in >> t.token;
    if (t.state.empty() || (t.state == "refused" && t.token.empty()) ||
        in >> extra)
      return Status::error("'" + file(id, "targets") + "': line '" + line +
                           "' is not 'name state' or 'name refused token'");
    out.push_back(std::move(t));
  }
  return out;
}

Result<Conflicts> Sysfs::conflicts(const std::string &id) const {
  auto text = readText(file(id, "conflicts"));
  if (!text)
    return text.status();
  auto c = parseConflicts(*text);
  if (!c)
    return Status::error("'" + file(id, "conflicts") + "': " + c.message());
  return c;
}

Result<std::vector<std::string>> Sysfs::detail(const std::string &id) const {
  return optionalLines(id, "detail");
}

Result<std::vector<std::string>> Sysfs::refusedLoad() const {
  return optionalLinesAt(root_ + "/refused_load");
}

Result<std::vector<std::string>> Sysfs::match(const std::string &id) const {
  return optionalLines(id, "match");
}

Result<std::vector<std::string>> Sysfs::timings(const std::string &id) const {
  return optionalLines(id, "timings");
}

Status Sysfs::setRetries(const std::string &id, unsigned retries) const {
  return writeAttr(id, "retries", std::to_string(retries));
}

Status Sysfs::writeStage(const std::string &id,
                         const std::string &action) const {
  return writeAttr(id, "stage", action);
}

}  // namespace ksplice
