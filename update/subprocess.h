// Running a program: the one subprocess runner of both sides.  ksplice-create
// drives kbuild, patch and the module build with it; the package code runs
// gzip with it.  argv (no shell), an optional working directory, extra
// environment, stdin from a string or a file, stdout to a file or captured,
// and an optional bound on what the child may write (RLIMIT_FSIZE).
#ifndef KSPLICE_UPDATE_SUBPROCESS_H
#define KSPLICE_UPDATE_SUBPROCESS_H

#include <cstdint>
#include <string>
#include <vector>

#include "result.h"

namespace ksplice {

struct Command {
  std::vector<std::string> argv;  // argv[0] is searched in PATH
  std::string cwd;                // "" = inherit
  std::vector<std::string> env;   // extra KEY=VALUE entries
  std::string input;              // written to stdin, then closed
  std::string stdinPath;          // instead of input: stdin from this file
  std::string stdoutPath;         // stdout to this file (created, truncated)
                                  // instead of into ProcessResult::output
  uint64_t maxOutputBytes = 0;    // >0: the child may not write more than
                                  // that to a file (SIGXFSZ kills it)
};

struct ProcessResult {
  int status = 0;      // exit code, or 128 + signal number
  std::string output;  // stderr, and stdout unless stdoutPath: interleaved
};

// Runs `cmd` to completion.  An error only when it could not be started
// (no such program, unreadable stdinPath, ...); a non-zero exit is a normal
// result.
Result<ProcessResult> runProcess(const Command &cmd);

// "make -C x foo.o" for messages.
std::string describe(const Command &cmd);

// The last `n` lines of `text` (for error messages quoting a tool's output).
std::string tailLines(const std::string &text, unsigned n);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_SUBPROCESS_H
