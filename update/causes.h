// Abort-cause tokens and their sentences: the loader's
// (loader-kmod/include/ksplice/errors.h) and the few the tools decide
// themselves.  docs/user-guide.md's table is causeTable() (checked by
// tests/update/causes_doc_test.cc).
#ifndef KSPLICE_UPDATE_CAUSES_H
#define KSPLICE_UPDATE_CAUSES_H

#include <string>
#include <string_view>
#include <vector>

namespace ksplice {

// The token printed first with --raw-errors for failures that did not come
// from the loader (bad package, wrong kernel, permissions...).
inline constexpr const char *kOtherErrorToken = "other";
// ksplice-apply's token for a package built on top of (--after) a patch
// whose update is not applied on this host.  Not a loader cause: the tools
// decide it before loading anything.
inline constexpr const char *kMissingPrerequisiteToken =
    "missing_prerequisite";

// The loader's cause for an update that must find a module loaded (errors.h):
// a series apply (series.h) and --boot (boot.h) let such an update wait.  Its
// detail ends "load 'MODULE' first".
inline constexpr const char *kTargetNotLoadedToken = "target_not_loaded";
// The module its detail asks for ("" if no line says).
std::string moduleToLoad(const std::vector<std::string> &detail);
// Whether an update refused with `token` waits for a module rather than
// failed: it must find one loaded (target_not_loaded), or it is built on an
// earlier update that waits (missing_prerequisite after one, `waitingBefore`).
bool waitsForModule(std::string_view token, bool waitingBefore);

// ksplice-apply's tokens for the package's signature (signature.h) and for
// modules a kernel that enforces module signatures would refuse.
inline constexpr const char *kUnsignedPackageToken = "unsigned_package";
inline constexpr const char *kUntrustedPackageToken = "untrusted_package";
inline constexpr const char *kBadSignatureToken = "bad_signature";
inline constexpr const char *kUnsignedModuleToken = "unsigned_module";

// A loader token (errors.h).
bool isKnownCause(std::string_view token);
// The sentence errors.h gives `token`, or a fallback that names the unknown
// token and says what to do.
std::string causeSentence(std::string_view token);
// Every token errors.h defines, in its order.
std::vector<std::string> knownCauses();

// The sentence of a token the tools decide (missing_prerequisite), or "".
std::string toolCauseSentence(std::string_view token);

// The user guide's table of causes in Markdown, one "| `token` | sentence |"
// row per loader cause in errors.h order, then the tools' own causes.
std::string causeTable();

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_CAUSES_H
