// libFuzzer entry point: any byte string must give either a validated
// ObjectFile or an llvm::Error, never a crash, hang or sanitizer report.
// Readable inputs are also diffed against themselves and written out as a
// patch, so the passes after the reader see hostile-but-valid objects.
#include "diff.h"
#include "object_file.h"
#include "patch_writer.h"

#include <cstddef>
#include <cstdint>

using namespace ksplice;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto obj = ObjectFile::parse(bytes, "fuzz.o");
  if (!obj) {
    llvm::consumeError(obj.takeError());
    return 0;
  }
  auto d = diffObjects(**obj, **obj, Exports());
  if (!d) {
    llvm::consumeError(d.takeError());
    return 0;
  }
  if ((*d)->verdict == Verdict::Changed)
    __builtin_trap(); // an object always equals itself
  PatchOptions opts;
  opts.unitName = "fuzz.o";
  auto patch = writePatch(**d, opts);
  if (!patch)
    llvm::consumeError(patch.takeError());
  return 0;
}
