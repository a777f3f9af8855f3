//===- error.cc - The create side's error and file helpers ----------------===//
#include "error.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ksplice {

llvm::Expected<std::string> readFile(const std::string &path,
                                     const char *what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(llvm::Twine("cannot read ") + what + " '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

llvm::Error linkFile(const std::string &from, const std::string &to) {
  std::error_code ec;
  fs::create_directories(fs::path(to).parent_path(), ec);
  fs::remove(to, ec);
  fs::create_hard_link(from, to, ec);
  if (ec)
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec)
    return fail("cannot copy '" + from + "' to '" + to + "': " + ec.message());
  return llvm::Error::success();
}

} // namespace ksplice
