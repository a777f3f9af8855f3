//===- dep_file.cc - The headers a compiled object really included --------===//
#include "dep_file.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

using llvm::StringRef;

std::string depFilePath(StringRef object) {
  size_t slash = object.rfind('/');
  if (slash == StringRef::npos)
    return "." + object.str() + ".cmd";
  return object.take_front(slash + 1).str() + "." +
         object.drop_front(slash + 1).str() + ".cmd";
}

static void sortUnique(std::vector<std::string> &v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// P relative to the tree ROOT (when under it), without "./" and "..".
static std::string normalise(StringRef path, const std::string &root) {
  std::string p = path.str();
  if (!root.empty() && StringRef(p).startswith(root + "/"))
    p = p.substr(root.size() + 1);
  p = fs::path(p).lexically_normal().generic_string();
  if (StringRef(p).startswith("./"))
    p = p.substr(2);
  return p;
}

std::optional<std::vector<std::string>>
parseDepFile(StringRef text, StringRef object, StringRef tree) {
  std::string key = "deps_" + object.str() + " :=";
  size_t at = text.find(key);
  if (at == StringRef::npos || (at > 0 && text[at - 1] != '\n'))
    return std::nullopt;
  std::string root = tree.rtrim('/').str();
  std::vector<std::string> out;
  StringRef rest = text.drop_front(at + key.size());
  for (bool more = true; more && !rest.empty();) {
    StringRef line;
    std::tie(line, rest) = rest.split('\n');
    line = line.rtrim();
    more = line.endswith("\\");
    if (more)
      line = line.drop_back().rtrim();
    line = line.trim();
    if (line.empty() || line.startswith("$(wildcard"))
      continue;
    llvm::SmallVector<StringRef, 4> words;
    line.split(words, ' ', -1, false);
    for (StringRef w : words) {
      if (w.startswith("$("))
        break; // $(wildcard include/config/X)
      out.push_back(normalise(w, root));
    }
  }
  sortUnique(out);
  return out;
}

std::optional<std::vector<std::string>>
readDepFile(const std::string &tree, const std::string &object) {
  return readDepFile(tree, object, tree);
}

// The text of OBJECT's .cmd file in DIR, or nothing when it cannot be read.
static std::optional<std::string> cmdText(const std::string &dir,
                                          const std::string &object) {
  std::ifstream in(dir + "/" + depFilePath(object), std::ios::binary);
  if (!in)
    return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::vector<std::string>>
readDepFile(const std::string &dir, const std::string &object,
            const std::string &tree) {
  auto text = cmdText(dir, object);
  if (!text)
    return std::nullopt;
  return parseDepFile(*text, object, tree);
}

std::optional<std::vector<std::string>>
readInputs(const std::string &dir, const std::string &object,
           const std::string &tree) {
  auto text = cmdText(dir, object);
  if (!text)
    return std::nullopt;
  auto inputs = parseDepFile(*text, object, tree);
  std::string key = "\nsource_" + object + " := ";
  size_t at = text->find(key);
  if (!inputs || at == std::string::npos)
    return std::nullopt;
  StringRef source = StringRef(*text).substr(at + key.size()).split('\n').first;
  std::string root = StringRef(tree).rtrim('/').str();
  inputs->push_back(normalise(source.trim(), root));
  sortUnique(*inputs);
  return inputs;
}

} // namespace ksplice
