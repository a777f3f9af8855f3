//===- error.cc - The create side's error and file helpers ----------------===//
#include "error.h"

#include <fstream>
#include <sstream>

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

} // namespace ksplice
