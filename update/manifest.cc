#include "manifest.h"
#include "format.h"
#include "sha256.h"

#include <algorithm>
#include <set>

namespace ksplice {
namespace {

bool isToken(std::string_view s) {
  if (s.empty())
    return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == 0x7f)
      return false;
  return true;
}

bool hasControl(std::string_view s) {
  for (unsigned char c : s)
    if (c < ' ' || c == 0x7f)
      return true;
  return false;
}


Status checkFunctions(const std::vector<ManifestFunction> &fs,
                      const char *key) {
  for (size_t i = 0; i < fs.size(); i++) {
    if (!isToken(fs[i].object) || !isToken(fs[i].name))
      return Status::error(std::string(key) + " " + quoted(fs[i].object + " " + fs[i].name) +
                           " has an empty field or whitespace in a name");
    if (i && !(fs[i - 1] < fs[i]))
      return Status::error(std::string(key) + " lines are not sorted and unique at " +
                           quoted(fs[i].object + " " + fs[i].name));
  }
  return okStatus();
}

// Splits "a b" at the single separating space; both halves must be tokens.
bool splitPair(std::string_view v, std::string &a, std::string &b) {
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos)
    return false;
  a = std::string(v.substr(0, sp));
  b = std::string(v.substr(sp + 1));
  return isToken(a) && isToken(b);
}

}  // namespace

bool isPlainFileName(std::string_view name) {
  return isToken(name) && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.size() <= 99;
}

bool Manifest::operator==(const Manifest &o) const {
  return id == o.id && description == o.description &&
         kernelRelease == o.kernelRelease && kernelBuild == o.kernelBuild &&
         coreModule == o.coreModule && patchModule == o.patchModule &&
         after == o.after && units == o.units && functions == o.functions &&
         newFunctions == o.newFunctions && files == o.files;
}

const ManifestFile *Manifest::file(std::string_view name) const {
  for (const auto &f : files)
    if (f.name == name)
      return &f;
  return nullptr;
}

Status validateManifest(const Manifest &m) {
  if (!isValidUpdateId(m.id))
    return Status::error("update id " + quoted(m.id) +
                         " is not 1-64 characters of [A-Za-z0-9_.-] "
                         "(not starting with '.')");
  if (hasControl(m.description))
    return Status::error("description of " + quoted(m.id) +
                         " must be one line without control characters");
  if (!isToken(m.kernelRelease))
    return Status::error("kernel-release " + quoted(m.kernelRelease) +
                         " is empty or contains whitespace");
  if (!isSha256Hex(m.kernelBuild))
    return Status::error("kernel-build " + quoted(m.kernelBuild) +
                         " is not a sha256 (64 lower-case hex digits)");
  for (const std::string *f : {&m.coreModule, &m.patchModule})
    if (!isPlainFileName(*f) || f->size() < 4 ||
        f->compare(f->size() - 3, 3, ".ko") != 0)
      return Status::error("module file name " + quoted(*f) +
                           " is not a plain file name ending in '.ko'");
  if (m.coreModule == m.patchModule)
    return Status::error("core-module and patch-module are both " +
                         quoted(m.coreModule));
  for (size_t i = 0; i < m.after.size(); i++) {
    if (!isSha256Hex(m.after[i]))
      return Status::error("after " + quoted(m.after[i]) +
                           " is not a sha256 (64 lower-case hex digits)");
    for (size_t j = 0; j < i; j++)
      if (m.after[j] == m.after[i])
        return Status::error("after " + quoted(m.after[i]) + " is listed twice");
  }
  if (m.units.empty())
    return Status::error("update " + quoted(m.id) + " has no 'unit' lines");
  for (const auto &u : m.units)
    if (!isToken(u.target) || !isToken(u.object))
      return Status::error("unit " + quoted(u.target + " " + u.object) +
                           " has an empty field or whitespace in a name");
  if (Status s = checkFunctions(m.functions, "function"); !s)
    return s;
  if (Status s = checkFunctions(m.newFunctions, "new-function"); !s)
    return s;
  for (size_t i = 0; i < m.files.size(); i++) {
    const auto &f = m.files[i];
    if (!isSha256Hex(f.sha256))
      return Status::error("sha256 of " + quoted(f.name) +
                           " is not 64 lower-case hex digits");
    if (!isPlainFileName(f.name) || f.name == "manifest")
      return Status::error("file name " + quoted(f.name) +
                           " is not allowed in a package (plain names only, "
                           "not 'manifest')");
    if (i && !(m.files[i - 1].name < f.name))
      return Status::error("sha256 lines are not sorted by file name and "
                           "unique at " + quoted(f.name));
  }
  for (const std::string &need : {m.coreModule, m.patchModule, std::string("patch")})
    if (!m.file(need))
      return Status::error("required file " + quoted(need) +
                           " has no 'sha256' line");
  const std::string &own = m.file("patch")->sha256;
  for (const std::string &a : m.after)
    if (a == own)
      return Status::error("after " + quoted(a) +
                           " is the sha256 of the update's own patch");
  return okStatus();
}

std::string serializeManifest(const Manifest &m) {
  std::string out;
  auto line = [&](std::string_view key, std::string_view value) {
    out += key;
    if (!value.empty()) {
      out += ' ';
      out += value;
    }
    out += '\n';
  };
  line("format", "ksplice-update " + std::to_string(kManifestFormatVersion));
  line("id", m.id);
  line("description", m.description);
  line("kernel-release", m.kernelRelease);
  line("kernel-build", m.kernelBuild);
  line("core-module", m.coreModule);
  line("patch-module", m.patchModule);
  for (const auto &a : m.after)
    line("after", a);
  for (const auto &u : m.units)
    line("unit", u.target + " " + u.object);
  for (const auto &f : m.functions)
    line("function", f.object + " " + f.name);
  for (const auto &f : m.newFunctions)
    line("new-function", f.object + " " + f.name);
  for (const auto &f : m.files)
    line("sha256", f.sha256 + " " + f.name);
  return out;
}

Result<Manifest> parseManifest(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos)
      return Status::error("manifest: last line has no newline");
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  auto err = [](size_t n, const std::string &what) {
    return Status::error("manifest:" + std::to_string(n + 1) + ": " + what);
  };
  static const char *const kFixed[] = {"format", "id", "description",
                                       "kernel-release", "kernel-build",
                                       "core-module", "patch-module"};
  Manifest m;
  std::string *fixedDest[] = {nullptr, &m.id, &m.description,
                              &m.kernelRelease, &m.kernelBuild,
                              &m.coreModule, &m.patchModule};
  // 0..6: the fixed keys; then repeated keys in this order.
  static const char *const kRepeated[] = {"after", "unit", "function",
                                          "new-function", "sha256"};
  constexpr int kNrRepeated = 5;
  int repeatedAt = 0;
  for (size_t n = 0; n < lines.size(); n++) {
    std::string_view l = lines[n];
    if (hasControl(l))
      return err(n, "control character in line");
    size_t sp = l.find(' ');
    std::string_view key = l.substr(0, sp);
    std::string_view value =
        sp == std::string_view::npos ? std::string_view() : l.substr(sp + 1);
    if (n < 7) {
      if (key != kFixed[n])
        return err(n, "expected key '" + std::string(kFixed[n]) + "', found " +
                          quoted(key));
      if (n == 0) {
        if (value.substr(0, 15) != "ksplice-update ")
          return err(n, "not a ksplice update manifest (format " + quoted(value) +
                            ")");
        if (value != "ksplice-update " + std::to_string(kManifestFormatVersion))
          return err(n, "unsupported package format " + quoted(value) +
                            "; this ksplice-apply reads format 'ksplice-update " +
                            std::to_string(kManifestFormatVersion) +
                            "': use tools matching the ksplice-create that "
                            "built it");
        continue;
      }
      if (n != 2 && !isToken(value))
        return err(n, "'" + std::string(key) +
                          "' needs one value without spaces");
      *fixedDest[n] = std::string(value);
      continue;
    }
    int k = 0;
    while (k < kNrRepeated && key != kRepeated[k])
      k++;
    if (k == kNrRepeated)
      return err(n, "unknown key " + quoted(key));
    if (k < repeatedAt)
      return err(n, "'" + std::string(key) + "' line after '" +
                        kRepeated[repeatedAt] + "' lines");
    repeatedAt = k;
    if (k == 0) {
      if (!isToken(value))
        return err(n, "'after' needs one value without spaces");
      m.after.push_back(std::string(value));
      continue;
    }
    std::string a, b;
    if (!splitPair(value, a, b))
      return err(n, "'" + std::string(key) +
                        "' needs two values separated by one space");
    switch (k) {
      case 1: m.units.push_back({a, b}); break;
      case 2: m.functions.push_back({a, b}); break;
      case 3: m.newFunctions.push_back({a, b}); break;
      case 4: m.files.push_back({a, b}); break;
    }
  }
  if (lines.size() < 7)
    return Status::error("manifest: truncated, missing '" +
                         std::string(kFixed[lines.size()]) + "' line");
  if (Status s = validateManifest(m); !s)
    return s.context("manifest");
  return m;
}

}  // namespace ksplice
