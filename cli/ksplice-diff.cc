//===- ksplice-diff.cc - Inspect what the differ makes of PRE and POST ----===//
//
// Usage:
//   ksplice-diff [--json] [--explain] [--symvers FILE] [--unit-name N]
//                [--unit-symbol S] [--target T] PRE.o POST.o [-o PATCH.o]
//
// Exit status: 0 patchable change, 1 error (a usage error too),
//              2 unpatchable change, 3 no functional change.
// With -o, writes the patch object (docs/patch-format.md) when the change
// is patchable.
//
//===----------------------------------------------------------------------===//
#include "diff.h"
#include "split_section.h"
#include "object_file.h"
#include "patch_writer.h"
#include "symvers.h"

#include "format.h"
#include "tool.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <fstream>

using namespace ksplice;

namespace {

std::string jsonList(const std::vector<std::string> &v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i)
    out += (i ? ", " : "") + jsonString(v[i]);
  return out + "]";
}

void printJson(const Diff &d) {
  fmt::print("{{\"verdict\": {}, \"changed_functions\": {}, "
             "\"new_functions\": {}, \"removed_functions\": {}, "
             "\"new_data\": {}, \"changed_data\": {}, \"refusals\": [",
             jsonString(toString(d.verdict)), jsonList(d.changedFunctions),
             jsonList(d.newFunctions), jsonList(d.removedFunctions),
             jsonList(d.newData), jsonList(d.changedData));
  for (size_t i = 0; i < d.refusals.size(); ++i) {
    const Refusal &r = d.refusals[i];
    fmt::print("{}{{\"symbol\": {}, \"section\": {}, \"reason\": {}}}",
               i ? ", " : "", jsonString(r.symbol), jsonString(r.section),
               jsonString(r.reason));
  }
  fmt::print("]}}\n");
}

void printText(const Diff &d, bool explain) {
  auto list = [&](const char *what, const std::vector<std::string> &v) {
    for (const std::string &n : v) {
      fmt::print("{}: {}\n", what, n);
      auto it = d.why.find(n);
      if (explain && it != d.why.end())
        fmt::print("  >>> {}\n", it->second);
    }
  };
  list("changed function", d.changedFunctions);
  list("new function", d.newFunctions);
  list("removed function", d.removedFunctions);
  list("new data", d.newData);
  list("changed data", d.changedData);
  for (const Refusal &r : d.refusals)
    fmt::print("unpatchable: {}: '{}': {}\n", r.section, r.symbol, r.reason);
  if (explain)
    for (const auto &[name, why] : d.why)
      if (!std::count(d.changedFunctions.begin(), d.changedFunctions.end(),
                      name))
        fmt::print("note: '{}' differs: {}\n", name, why);
  fmt::print("verdict: {}\n", toString(d.verdict));
}

} // namespace

int main(int argc, char **argv) {
  Tool tool("ksplice-diff", {{0, "patchable change"},
                             {2, "unpatchable change"},
                             {3, "no functional change"}});
  auto fail = [&](const std::string &msg) { return tool.error(msg); };
  CLI::App app{"Compare a compilation unit before and after a patch",
               tool.name()};
  std::string prePath, postPath, outPath, symversPath, unitName, unitSymbol;
  std::string target = "vmlinux";
  bool json = false, explain = false;
  app.add_flag("--json", json, "print one JSON object");
  app.add_flag("--explain", explain, "say why each function differs");
  app.add_option("--symvers", symversPath, "the target's Module.symvers");
  app.add_option("--unit-name", unitName, "ksplice_unit.name (default: POST)");
  app.add_option("--unit-symbol", unitSymbol, "the unit's global symbol");
  app.add_option("--target", target, "vmlinux or a module name");
  app.add_option("-o", outPath, "write the patch object here");
  app.add_option("PRE", prePath, "object before the patch")->required();
  app.add_option("POST", postPath, "object after the patch")->required();
  if (auto status = tool.parse(app, argc, argv))
    return *status;

  Exports exports;
  if (!symversPath.empty()) {
    auto ex = readSymvers(symversPath);
    if (!ex)
      return fail(llvm::toString(ex.takeError()));
    exports = std::move(*ex);
  }
  auto pre = openUnitObject(prePath, target);
  if (!pre)
    return fail(llvm::toString(pre.takeError()));
  auto post = openUnitObject(postPath, target);
  if (!post)
    return fail(llvm::toString(post.takeError()));
  auto diff = diffObjects(**pre, **post, std::move(exports), target);
  if (!diff)
    return fail(llvm::toString(diff.takeError()));
  const Diff &d = **diff;

  if (json)
    printJson(d);
  else
    printText(d, explain);

  if (!outPath.empty() && d.verdict == Verdict::Changed) {
    PatchOptions opts;
    opts.unitName = unitName.empty() ? postPath : unitName;
    opts.unitSymbol = unitSymbol;
    opts.target = target;
    auto bytes = writePatch(d, opts);
    if (!bytes)
      return fail(llvm::toString(bytes.takeError()));
    std::ofstream f(outPath, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
    if (!f)
      return fail(outPath + ": cannot write");
  }
  switch (d.verdict) {
  case Verdict::Changed:
    return 0;
  case Verdict::Unpatchable:
    return 2;
  case Verdict::NoChange:
    return 3;
  }
  return 1;
}
