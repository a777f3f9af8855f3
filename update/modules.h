// Loading and unloading kernel modules with the finit_module and
// delete_module system calls (no kmod dependency).
#ifndef KSPLICE_UPDATE_MODULES_H
#define KSPLICE_UPDATE_MODULES_H

#include <string>
#include <string_view>

#include "result.h"
#include "update_id.h"  // defaultPatchModuleName

namespace ksplice {

inline constexpr const char *kCoreModuleName = "ksplice";

// The name the kernel will give the module in `koPath`: the "name=" entry
// of its .modinfo section (modpost writes it), else the file name without
// ".ko" with '-' mapped to '_'.
Result<std::string> moduleNameOf(const std::string &koPath);
// Parses a .ko image held in memory (ELF64 little-endian).
Result<std::string> moduleNameFromImage(std::string_view image,
                                        const std::string &koPath);

// finit_module(koPath, params).  Errors say why in the user's terms
// (permission, signature, wrong kernel, already loaded).
Status loadModule(const std::string &koPath, const std::string &params = "");
// delete_module(name, O_NONBLOCK).
Status unloadModule(const std::string &name);
// /sys/module/<name> exists.
bool moduleLoaded(const std::string &name);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_MODULES_H
