//===- process.h - Run a command, wait, collect its output ----------------===//
//
// ksplice-create drives kbuild, patch and the module build as child
// processes.  One helper, so every child gets the same treatment: argv (no
// shell), an optional working directory, optional extra environment, and
// stdout+stderr captured into a string (for error messages and progress).
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_PROCESS_H
#define KSPLICE_CREATE_PROCESS_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

struct Command {
  std::vector<std::string> argv;
  std::string cwd;              // "" = inherit
  std::vector<std::string> env; // extra KEY=VALUE entries
  std::string input;            // written to stdin, then closed
};

struct ProcessResult {
  int status = 0;     // exit code, or 128 + signal number
  std::string output; // stdout and stderr, interleaved
};

/// Runs CMD to completion.  An Error only when it could not be started; a
/// non-zero exit is a normal result.
llvm::Expected<ProcessResult> run(const Command &cmd);

/// "make -C x foo.o" for messages.
std::string describe(const Command &cmd);

/// The last N lines of TEXT (for error messages quoting a tool's output).
std::string tailLines(const std::string &text, unsigned n);

} // namespace ksplice

#endif
