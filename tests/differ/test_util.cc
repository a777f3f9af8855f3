#include "test_util.h"
#include "split_section.h"

#include <fstream>
#include <iterator>

namespace ksplice::test {

std::string casePath(const std::string &name, const std::string &side) {
  return std::string(KSPLICE_DIFF_CASES) + "/" + name + "/" + side + ".o";
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

Case runCase(const std::string &name, const std::string &symvers,
             const std::string &target) {
  Case c;
  auto pre = openUnitObject(casePath(name, "pre"), target);
  if (!pre) {
    c.error = llvm::toString(pre.takeError());
    return c;
  }
  auto post = openUnitObject(casePath(name, "post"), target);
  if (!post) {
    c.error = llvm::toString(post.takeError());
    return c;
  }
  c.pre = std::move(*pre);
  c.post = std::move(*post);
  Exports ex;
  if (!symvers.empty()) {
    auto parsed = parseSymvers(symvers, "test.symvers");
    if (!parsed) {
      c.error = llvm::toString(parsed.takeError());
      return c;
    }
    ex = std::move(*parsed);
  }
  auto d = diffObjects(*c.pre, *c.post, std::move(ex), target);
  if (!d) {
    c.error = llvm::toString(d.takeError());
    return c;
  }
  c.diff = std::move(*d);
  return c;
}

} // namespace ksplice::test
