#include "fake_host.h"

#include "modules.h"

namespace ksplice::test {
namespace {

std::string noSuchFile(const std::string &path) {
  return "cannot open '" + path + "': No such file or directory";
}

}  // namespace

bool FakeLoader::split(const std::string &path, std::string &id,
                       std::string &file) const {
  std::string prefix = root() + "/";
  if (path.compare(0, prefix.size(), prefix) != 0)
    return false;
  std::string rest = path.substr(prefix.size());
  size_t slash = rest.find('/');
  id = rest.substr(0, slash);
  file = slash == std::string::npos ? "" : rest.substr(slash + 1);
  return up && updates.count(id);
}

bool FakeLoader::isDir(const std::string &path) const {
  std::string id, file;
  if (path == root())
    return up;
  return split(path, id, file) && file.empty();
}

bool FakeLoader::exists(const std::string &path) const {
  std::string id, file;
  if (path == root() + "/refused_load")
    return up && refusedLoad;
  if (!split(path, id, file))
    return isDir(path);
  static const std::set<std::string> always = {
      "", "stage", "abort_cause", "conflicts", "description",
      "pause_ns", "functions", "retries"};
  return always.count(file) || (file == "detail" && hasDetail) ||
         (file == "match" && hasMatch) || (file == "timings" && hasTimings);
}

Result<std::vector<std::string>> FakeLoader::listDir(
    const std::string &dir) const {
  if (dir != root() || !up)
    return Status::error("cannot list '" + dir + "': No such file or directory");
  std::vector<std::string> ids;
  for (const auto &[id, u] : updates)
    ids.push_back(id);
  return ids;
}

Result<std::string> FakeLoader::readText(const std::string &path) const {
  std::string id, file;
  if (path == root() + "/refused_load" && exists(path))
    return *refusedLoad;
  if (!split(path, id, file) || !exists(path) || file.empty())
    return Status::error(noSuchFile(path));
  if (unreadable.count(id + "/" + file))
    return Status::error("cannot read '" + path + "': Permission denied "
                         "(run as root)");
  const FakeUpdate &u = updates.at(id);
  if (file == "stage")
    return u.stage + "\n";
  if (file == "abort_cause")
    return u.cause + "\n";
  if (file == "conflicts")
    return u.conflicts;
  if (file == "description")
    return u.description + "\n";
  if (file == "pause_ns")
    return std::to_string(u.pauseNs) + "\n";
  if (file == "functions")
    return u.functions;
  if (file == "retries")
    return std::to_string(u.retries) + "\n";
  if (file == "detail")
    return u.detail;
  if (file == "match")
    return u.match;
  return u.timings;
}

Status FakeLoader::act(const std::string &id, FakeUpdate &u,
                       const std::string &action) const {
  auto it = answers.find(id + "/" + action);
  LoaderAnswer a = it != answers.end() ? it->second : LoaderAnswer();
  bool fits = action == "undo" ? u.stage == "applied" : u.stage != "applied";
  if (!fits && it == answers.end())
    a.cause = "bad_state";
  u.cause = a.cause;
  u.conflicts = a.conflicts;
  u.detail = a.cause == "none" ? "" : a.detail;
  u.pauseNs = a.pauseNs;
  u.match = action == "undo" ? u.match : "fs/proc/cmdline.o 117/117\n";
  u.timings = "collect 100\nmatch 200\n" + std::string(action == "check"
                                                          ? "check 300\n"
                                                          : "stop 300\n");
  bool failed = (a.cause != "none" && !a.writeOk) || a.writeFails;
  if (failed)
    return Status::error("writing '" + action + "' to '" + root() + "/" + id +
                         "/stage' failed: Invalid argument");
  if (a.cause == "none" && action == "apply")
    u.stage = "applied";
  if (a.cause == "none" && action == "undo")
    u.stage = "reversed";
  return okStatus();
}

Status FakeLoader::writeText(const std::string &path,
                             const std::string &text) const {
  std::string id, file, value = text.substr(0, text.find('\n'));
  if (!split(path, id, file) || file.empty() || !exists(path))
    return Status::error("cannot open '" + path + "' for writing: No such "
                         "file or directory");
  log_.push_back("write " + id + "/" + file + " " + value);
  auto allowed = writesAllowed.find(id + "/" + file);
  if (unwritable.count(id + "/" + file) ||
      (allowed != writesAllowed.end() && allowed->second-- <= 0))
    return Status::error("cannot open '" + path + "' for writing: "
                         "Permission denied (run as root)");
  FakeUpdate &u = updates.at(id);
  if (file == "retries") {
    u.retries = unsigned(std::stoul(value));
    return okStatus();
  }
  if (file == "stage")
    return act(id, u, value);
  return Status::error("writing '" + value + "' to '" + path +
                       "' failed: Permission denied");
}

Result<RunLock> FakeRecords::lock() {
  if (lockFails)
    return *lockFails;
  return Records::lock();
}

Result<AppliedRecord> FakeRecords::add(const std::string &id,
                                       const std::string &manifestPath,
                                       const std::string &patchPath,
                                       const std::string &module,
                                       int64_t appliedAt) {
  if (addFails)
    return *addFails;
  return Records::add(id, manifestPath, patchPath, module, appliedAt);
}

Status FakeRecords::remove(const std::string &id) const {
  if (removeFails)
    return *removeFails;
  return Records::remove(id);
}

FakeHost::FakeHost(const std::string &runDir, std::string stateDir)
    : fakeRecords(runDir),
      fakeStore(stateDir.empty() ? runDir + ".state" : std::move(stateDir)) {}

FakeUpdate &FakeHost::addUpdate(const std::string &id,
                                const std::string &stage,
                                const std::string &module) {
  loader.up = true;
  loaded.insert(coreName);
  loaded.insert(module);
  FakeUpdate &u = loader.updates[id];
  u.stage = stage;
  u.module = module;
  u.description = "update " + id;
  u.functions = "cmdline_proc_show vmlinux\n";
  return u;
}

Status FakeHost::loadModule(const std::string &koPath) {
  auto name = moduleNameOf(koPath);
  if (!name)
    return name.status();
  log.push_back("load " + *name);
  if (auto f = loadFails.find(*name); f != loadFails.end())
    return f->second;
  if (loaded.count(*name))
    return Status::error("cannot load module '" + koPath +
                         "': a module of that name is already loaded");
  if (*name != coreName && !loaded.count(coreName))
    return Status::error("cannot load module '" + koPath +
                         "': it needs symbols the kernel lacks");
  loaded.insert(*name);
  if (*name == coreName)
    loader.up = coreMakesSysfs;
  if (auto r = registers.find(*name); r != registers.end()) {
    FakeUpdate &u = loader.updates[r->second];
    u.module = *name;
    u.description = "update " + r->second;
    u.functions = "cmdline_proc_show vmlinux\n";
  }
  return okStatus();
}

Status FakeHost::unloadModule(const std::string &name) {
  log.push_back("unload " + name);
  if (auto f = unloadFails.find(name); f != unloadFails.end())
    return f->second;
  std::string what = "cannot unload module '" + name + "': ";
  if (!loaded.count(name))
    return Status::error(what + "it is not loaded");
  if (name == coreName && loaded.size() > 1)
    return Status::error(what + "it is in use; undo the updates that use "
                                "it first");
  for (const auto &[id, u] : loader.updates)
    if (u.module == name && u.stage == "applied")
      return Status::error(what + "it is in use; undo the updates that use "
                                  "it first");
  loaded.erase(name);
  if (name == coreName)
    loader.up = false;
  for (auto it = loader.updates.begin(); it != loader.updates.end();)
    it = it->second.module == name ? loader.updates.erase(it) : std::next(it);
  return okStatus();
}

Result<std::string> FakeHost::kernelRelease() const {
  if (!release)
    return Status::error("uname() failed; cannot tell which kernel is running");
  return *release;
}

}  // namespace ksplice::test
