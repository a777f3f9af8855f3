// A throw-away directory tree for the create tests.
#ifndef KSPLICE_TESTS_CREATE_TEST_TREE_H
#define KSPLICE_TESTS_CREATE_TEST_TREE_H

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace ksplice::test {

class TempTree {
public:
  TempTree() {
    std::string tmpl = (std::filesystem::temp_directory_path() /
                        "ksplice-create-test-XXXXXX")
                           .string();
    root_ = mkdtemp(tmpl.data());
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempTree(const TempTree &) = delete;
  TempTree &operator=(const TempTree &) = delete;

  /// Writes REL (creating its directories) with TEXT.
  void write(const std::string &rel, const std::string &text) const {
    std::filesystem::path p = std::filesystem::path(root_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }
  const std::string &root() const { return root_; }
  std::string path(const std::string &rel) const { return root_ + "/" + rel; }

private:
  std::string root_;
};

} // namespace ksplice::test

#endif
