//===- patch_file.cc - What a source patch touches ------------------------===//
#include "patch_file.h"

#include <algorithm>
#include <map>

namespace ksplice {

using llvm::createStringError;
using llvm::inconvertibleErrorCode;
using llvm::StringRef;

// "--- a/fs/x.c\t2024-01-01 ..." -> "fs/x.c"; "/dev/null" stays as is.
static StringRef headerPath(StringRef line) {
  StringRef p = line.drop_front(4);
  p = p.take_until([](char c) { return c == '\t'; }).rtrim();
  if (p == "/dev/null")
    return p;
  size_t slash = p.find('/');
  return slash == StringRef::npos ? StringRef() : p.drop_front(slash + 1);
}

static bool escapes(StringRef path) {
  if (path.empty() || path.startswith("/"))
    return true;
  llvm::SmallVector<StringRef, 16> parts;
  path.split(parts, '/');
  return std::any_of(parts.begin(), parts.end(),
                     [](StringRef s) { return s == ".."; });
}

llvm::Expected<std::vector<TouchedFile>> parsePatch(StringRef patch) {
  std::map<std::string, TouchedFile::Kind> files;
  StringRef minus;
  unsigned lineNo = 0;
  while (!patch.empty()) {
    StringRef line;
    std::tie(line, patch) = patch.split('\n');
    lineNo++;
    if (line.startswith("--- ")) {
      minus = headerPath(line);
      continue;
    }
    if (!line.startswith("+++ ") || minus.empty())
      continue;
    StringRef plus = headerPath(line);
    if (plus.empty())
      return createStringError(inconvertibleErrorCode(),
                               "patch line %u: cannot read the file name",
                               lineNo);
    TouchedFile::Kind kind = TouchedFile::Modified;
    StringRef path = plus;
    if (minus == "/dev/null") {
      kind = TouchedFile::Added;
    } else if (plus == "/dev/null") {
      kind = TouchedFile::Deleted;
      path = minus;
    } else if (minus != plus) {
      return createStringError(
          inconvertibleErrorCode(),
          "patch line %u: renames '%s' to '%s', which is not supported",
          lineNo, minus.str().c_str(), plus.str().c_str());
    }
    if (escapes(path))
      return createStringError(inconvertibleErrorCode(),
                               "patch line %u: path '%s' leaves the tree",
                               lineNo, path.str().c_str());
    files[path.str()] = kind;
    minus = StringRef();
  }
  if (files.empty())
    return createStringError(inconvertibleErrorCode(),
                             "the patch changes no file (no ---/+++ headers)");
  std::vector<TouchedFile> out;
  for (auto &[path, kind] : files)
    out.push_back({path, kind});
  return out;
}

} // namespace ksplice
