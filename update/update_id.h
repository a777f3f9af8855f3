// Update ids: the one place that says what an id may be and how one is
// derived.  An id names the loader's directory /sys/kernel/ksplice/<id>/,
// the record /run/ksplice/<id>/, the package's directory ksplice-<id>/ and
// the patch module ksplice-<id>.ko, which the kernel calls ksplice_<id>.
//
// The rule has two parts:
//   * an id the loader accepts, and so every tool that reads one:
//     [A-Za-z0-9_.-]{1,64}, not starting with '.' (core.c, valid_id);
//   * a new id, the subset ksplice-create gives the updates it builds,
//     because the id becomes a kernel module's name: [a-z0-9][a-z0-9_-]*,
//     at most 40 characters (no '.', which separates a module's name from
//     its parameters on the kernel command line; "ksplice_" and the id stay
//     well inside the kernel's 55-character module names).
#ifndef KSPLICE_UPDATE_UPDATE_ID_H
#define KSPLICE_UPDATE_UPDATE_ID_H

#include <string>
#include <string_view>

#include "result.h"

namespace ksplice {

inline constexpr size_t kMaxUpdateIdLength = 64;
inline constexpr size_t kMaxNewUpdateIdLength = 40;

// An id the loader accepts.
bool isValidUpdateId(std::string_view id);
// ok, or "'ID' is not an update id (...); 'ksplice-view' lists the ids".
Status checkUpdateId(std::string_view id);

// An id ksplice-create may give a new update.
bool isNewUpdateId(std::string_view id);
// ok, or "'ID' cannot be an update id: use ...".
Status checkNewUpdateId(std::string_view id);

// The id of an update built without --id: "p" and the first 8 hex digits
// of the SHA-256 of its patch, so the same patch gives the same id.
std::string defaultUpdateId(std::string_view patchText);
// The same from the patch's SHA-256 in hex (a manifest's "after" line).
std::string defaultUpdateIdOfDigest(std::string_view sha256Hex);

// The patch module's file in the package: "ksplice-<id>.ko".
std::string patchModuleFile(std::string_view id);
// The kernel's name for it: "ksplice_<id>" with '-' mapped to '_', as
// kbuild maps it.
std::string defaultPatchModuleName(std::string_view id);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_UPDATE_ID_H
