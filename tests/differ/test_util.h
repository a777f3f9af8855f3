// Helpers for the differ tests: load a compiled case, diff it, read back a
// patch object.
#ifndef KSPLICE_TESTS_DIFFER_TEST_UTIL_H
#define KSPLICE_TESTS_DIFFER_TEST_UTIL_H

#include "diff.h"
#include "object_file.h"
#include "patch_writer.h"

#include <memory>
#include <string>
#include <vector>

namespace ksplice::test {

std::string casePath(const std::string &name, const std::string &side);
std::vector<uint8_t> readFile(const std::string &path);

/// A compiled testdata/diff case, diffed.
struct Case {
  std::unique_ptr<ObjectFile> pre, post;
  std::unique_ptr<Diff> diff;
  std::string error; // set if diffing failed
};
/// TARGET is where the unit runs: vmlinux or a module name.
Case runCase(const std::string &name, const std::string &symvers = "",
             const std::string &target = "vmlinux");

using Names = std::vector<std::string>;

} // namespace ksplice::test

#endif
