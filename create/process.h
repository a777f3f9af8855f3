//===- process.h - Run a command, wait, collect its output ----------------===//
//
// ksplice-create drives kbuild, patch and the module build as child
// processes through the one subprocess runner (update/subprocess.h): argv
// (no shell), an optional working directory, optional extra environment,
// and stdout+stderr captured into a string (for error messages and
// progress).  This header gives it the create side's error type.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_PROCESS_H
#define KSPLICE_CREATE_PROCESS_H

#include "subprocess.h"

#include "llvm/Support/Error.h"

namespace ksplice {

/// Runs CMD to completion.  An Error only when it could not be started; a
/// non-zero exit is a normal result.
llvm::Expected<ProcessResult> run(const Command &cmd);

} // namespace ksplice

#endif
