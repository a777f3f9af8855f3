// update_mkpkg: a test helper that packages prebuilt modules with
// writePackage(), for the VM test of the tools (no ksplice-create needed).
//
//   update_mkpkg --id ID --release R --symvers FILE --core KO
//                --patch-module KO --patch FILE [--description TEXT]
//                [--unit TARGET OBJECT]... [--function OBJECT NAME]... -o OUT
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fs.h"
#include "package.h"
#include "signature.h"
#include "sha256.h"

using namespace ksplice;

int main(int argc, char **argv) {
  std::string id, release, symvers, core, patchModule, patch, out;
  std::string description = "test update";
  std::vector<std::string> units, functions;
  CLI::App app{"Package prebuilt modules (test helper)", "update_mkpkg"};
  app.add_option("--id", id)->required();
  app.add_option("--release", release)->required();
  app.add_option("--symvers", symvers)->required();
  app.add_option("--core", core)->required();
  app.add_option("--patch-module", patchModule)->required();
  app.add_option("--patch", patch)->required();
  app.add_option("--description", description);
  app.add_option("--unit", units)->expected(2)->take_all();
  app.add_option("--function", functions)->expected(2)->take_all();
  app.add_option("-o", out)->required();
  std::string signKey;
  app.add_option("--sign", signKey, "sign the manifest with this PEM key");
  CLI11_PARSE(app, argc, argv);

  Manifest m;
  m.id = id;
  m.description = description;
  m.kernelRelease = release;
  auto build = sha256File(symvers);
  if (!build) {
    fprintf(stderr, "update_mkpkg: error: %s\n", build.message().c_str());
    return 1;
  }
  m.kernelBuild = *build;
  m.patchModule = patchModule.substr(patchModule.find_last_of('/') + 1);
  for (size_t i = 0; i + 1 < units.size(); i += 2)
    m.units.push_back({units[i], units[i + 1]});
  for (size_t i = 0; i + 1 < functions.size(); i += 2)
    m.functions.push_back({functions[i], functions[i + 1]});

  auto dir = TempDir::create("update_mkpkg.");
  if (!dir) {
    fprintf(stderr, "update_mkpkg: error: %s\n", dir.message().c_str());
    return 1;
  }
  for (auto [from, to] : {std::pair<std::string, std::string>{core, "ksplice.ko"},
                          {patchModule, m.patchModule},
                          {patch, "patch"}}) {
    auto data = readFile(from);
    if (!data) {
      fprintf(stderr, "update_mkpkg: error: %s\n", data.message().c_str());
      return 1;
    }
    if (Status s = writeFile(dir->path() + "/" + to, *data); !s) {
      fprintf(stderr, "update_mkpkg: error: %s\n", s.message().c_str());
      return 1;
    }
  }
  ManifestSigner sign;
  if (!signKey.empty())
    sign = [&](std::string_view text) { return signManifest(text, signKey); };
  if (Status s = writePackage(dir->path(), m, out, sign); !s) {
    fprintf(stderr, "update_mkpkg: error: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
