//===- ksplice-klp-convert.cc - Finish a patch module's load-time relocs --===//
//
// Usage:
//   ksplice-klp-convert MODULE.ko
//
// Turns the load-time relocation records of a linked (and stripped) patch
// module into the kernel's livepatch relocation sections, in place
// (differ/livepatch_relocs.h).  The last step of building a patch module:
// scripts/build-patch-module.sh runs it; kbuild's link and objcopy would
// undo it.  Prints the symbols the module loader will resolve, one per line.
//
// Exit status: 0 done (or nothing to do), 1 error, 2 usage error.
//
//===----------------------------------------------------------------------===//
#include "livepatch_relocs.h"

#include "tool.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

using namespace ksplice;

int main(int argc, char **argv) {
  Tool tool("ksplice-klp-convert", {{0, "done (or nothing to do)"}});
  std::string module;
  CLI::App app{"Write a patch module's load-time relocations as the kernel's "
               "livepatch relocations (in place).",
               tool.name()};
  app.add_option("MODULE", module, "the linked patch module (.ko)")
      ->required();
  if (auto status = tool.parse(app, argc, argv))
    return *status;
  auto names = convertLivepatchRelocs(module);
  if (!names)
    return tool.error(llvm::toString(names.takeError()));
  for (const std::string &n : *names)
    fmt::print("{}\n", n);
  return 0;
}
