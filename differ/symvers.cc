//===- symvers.cc ---------------------------------------------------------===//
#include "symvers.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace ksplice {

Expected<Exports> parseSymvers(StringRef text, StringRef name) {
  Exports ex;
  ex.known = true;
  unsigned lineNo = 0;
  while (!text.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    ++lineNo;
    line = line.rtrim("\r");
    if (line.trim().empty())
      continue;
    SmallVector<StringRef, 5> f;
    line.split(f, '\t');
    if (f.size() < 4 || f[1].empty())
      return createStringError(
          inconvertibleErrorCode(),
          formatv("{0}:{1}: expected 'crc<TAB>symbol<TAB>module<TAB>"
                  "export_type[<TAB>namespace]'",
                  name, lineNo));
    ex.names.insert(f[1].str());
    if (f[2] != "vmlinux")
      ex.ofModules.insert(f[1].str());
    if (f.size() >= 5 && !f[4].empty())
      ex.namespaces[f[1].str()] = f[4].str();
  }
  return ex;
}

Expected<Exports> readSymvers(StringRef path) {
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return createStringError(buf.getError(),
                             path + ": " + buf.getError().message());
  return parseSymvers((*buf)->getBuffer(), path);
}

} // namespace ksplice
