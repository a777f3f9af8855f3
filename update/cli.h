// Pieces shared by the production-host tools (ksplice-apply, ksplice-undo,
// ksplice-view): error reporting in one format and the report of a
// loader abort.
#ifndef KSPLICE_UPDATE_CLI_H
#define KSPLICE_UPDATE_CLI_H

#include <string>
#include <vector>

#include "sysfs.h"

namespace ksplice {

// The token printed first with --raw-errors for failures that did not come
// from the loader (bad package, wrong kernel, permissions...).
inline constexpr const char *kOtherErrorToken = "other";
// ksplice-apply's token for a package built on top of (--after) a patch
// whose update is not applied on this host.  Not a loader cause: the tools
// decide it before loading anything.
inline constexpr const char *kMissingPrerequisiteToken =
    "missing_prerequisite";

// What a tool prints on stderr when the loader refused `action` ("apply",
// "undo", or "check" for a dry run) on update `id`: with raw, first the
// bare token; then "<tool>: error: <token>: <sentence>", a line naming the
// update, and one line per conflicting task.  Returns the lines (without
// newlines).
std::vector<std::string> abortReport(const std::string &tool,
                                     const std::string &id,
                                     const std::string &action,
                                     const std::string &token,
                                     const Conflicts &conflicts, bool raw);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_CLI_H
