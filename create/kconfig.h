//===- kconfig.h - The target's configuration, as kbuild sees it ----------===//
//
// The farm must build with the target's configuration exactly: `make
// olddefconfig` recomputes the symbols Kconfig derives from the build
// tools (CONFIG_CC_VERSION_TEXT from $(CC), CONFIG_PAHOLE_VERSION from
// pahole), and silently turns off what depends on a tool it lacks
// (without pahole, CONFIG_DEBUG_INFO_BTF_MODULES: kernel/bpf/btf.o then
// compiles to other code).  So the farm runs kbuild with the compiler the
// target's config names, and its configuration is compared with the
// target's after preparing.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_KCONFIG_H
#define KSPLICE_CREATE_KCONFIG_H

#include <map>
#include <string>
#include <vector>

namespace ksplice {

using Kconfig = std::map<std::string, std::string>; // CONFIG_X -> value

/// The CONFIG_ lines of a .config, as kbuild's Makefiles see them in
/// include/config/auto.conf: a string without its quotes
/// (CONFIG_EXTRA_FIRMWARE="" is empty, not two quote characters).
Kconfig parseKconfig(const std::string &text);

/// The symbols whose values differ between the target's configuration and
/// the farm's ("CONFIG_X: y in the target's configuration, unset here"),
/// except those the farm changes on purpose (signing keys and trusted-key
/// files Debian does not ship, the build salt).
std::vector<std::string> configDifferences(const Kconfig &target,
                                           const Kconfig &farm);

/// The compiler the target's kernel was built with, as kbuild's CC: the
/// program CONFIG_CC_VERSION_TEXT names ("gcc-12" for Debian's "gcc-12
/// (Debian 12.2.0-14+deb12u1) 12.2.0"), or "" when it names none.
std::string kconfigCompiler(const Kconfig &target);

} // namespace ksplice

#endif
