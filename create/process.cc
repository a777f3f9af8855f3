//===- process.cc - Run a command, wait, collect its output ---------------===//
#include "process.h"

namespace ksplice {

llvm::Expected<ProcessResult> run(const Command &cmd) {
  auto res = runProcess(cmd);
  if (!res)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   res.message().c_str());
  return std::move(*res);
}

} // namespace ksplice
