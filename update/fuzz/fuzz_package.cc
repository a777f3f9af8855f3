// libFuzzer entry point over a package's archive, which ksplice-apply reads
// as root before anything is loaded (package.h readPackageTar(): the tar
// reader and every check openPackage() makes, in memory).  Any byte string
// must give a verified package or an error, never a crash, hang or
// sanitizer report; what it accepts must hold up to its own promises.
#include "manifest.h"
#include "package.h"
#include "sha256.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace ksplice;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view tar(reinterpret_cast<const char *>(data), size);
  auto p = readPackageTar(tar, "fuzz.tar");
  if (!p)
    return 0;
  // Accepted: one directory named for the manifest's id, plain file
  // names, every file but the manifest listed with its digest.
  if (p->top != "ksplice-" + p->manifest.id)
    abort();
  for (const auto &[name, bytes] : p->files) {
    if (!isPlainFileName(name))
      abort();
    if (name == "manifest") {
      if (bytes != p->manifestText)
        abort();
      continue;
    }
    const ManifestFile *f = p->manifest.file(name);
    if (!f || sha256Hex(bytes) != f->sha256)
      abort();
  }
  return 0;
}
