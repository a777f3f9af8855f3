//===- pre_cache.cc - Objects compiled before the changes, kept -----------===//
#include "pre_cache.h"
#include "dep_file.h"
#include "error.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace ksplice {

static std::string firstLine(const std::string &path) {
  std::string line;
  if (std::ifstream in{path})
    std::getline(in, line);
  return line;
}

// Whether DIR holds objects of KEY compiled in TREE.  A cache from before
// .tree was written has no .cmd copies either, so it is adopted.
static bool holds(const std::string &dir, const std::string &key,
                  const std::string &tree) {
  if (key.empty() || firstLine(dir + "/.key") != key)
    return false;
  if (!fs::exists(dir + "/.tree"))
    return bool(std::ofstream(dir + "/.tree") << tree << "\n");
  return firstLine(dir + "/.tree") == tree;
}

llvm::Expected<PreCache> PreCache::open(const std::string &dir,
                                        const std::string &key,
                                        const std::string &tree) {
  if (holds(dir, key, tree))
    return PreCache(dir, tree);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (!(std::ofstream(dir + "/.key") << key << "\n") ||
      !(std::ofstream(dir + "/.tree") << tree << "\n"))
    return fail("cannot write the key of '" + dir + "'");
  return PreCache(dir, tree);
}

bool PreCache::has(const std::string &object) const {
  return fs::exists(path(object));
}

std::optional<std::vector<std::string>>
PreCache::reads(const std::string &object) const {
  if (!has(object))
    return std::nullopt;
  return readInputs(dir_, object, tree_);
}

llvm::Error PreCache::keep(const std::string &object,
                           const std::string &file) const {
  std::error_code ec;
  std::string to = path(object), cmd = dir_ + "/" + depFilePath(object);
  fs::remove(cmd, ec); // the entry is whole again only with its new .cmd
  if (auto err = linkFile(file, to + ".part"))
    return err;
  fs::rename(to + ".part", to, ec);
  if (!ec)
    fs::copy_file(tree_ + "/" + depFilePath(object), cmd + ".part",
                  fs::copy_options::overwrite_existing, ec);
  if (!ec)
    fs::rename(cmd + ".part", cmd, ec);
  if (ec)
    return fail("cannot keep '" + object + "' in '" + dir_ +
                "': " + ec.message());
  return llvm::Error::success();
}

bool unchangedBy(const std::vector<TouchedFile> &after,
                 const std::vector<std::string> &reads) {
  return llvm::none_of(after, [&](const TouchedFile &f) {
    return f.kind == TouchedFile::Added ||
           std::binary_search(reads.begin(), reads.end(), f.path);
  });
}

} // namespace ksplice
