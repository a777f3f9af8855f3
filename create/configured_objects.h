//===- configured_objects.h - What kbuild builds for a configuration ------===//
//
// The objects of a configured kernel build and where each is linked,
// without building it: kbuild's descent is replayed over the Makefiles
// (kbuild_makefile.h evaluates each one).  From the top-level Kbuild
// (obj-y += kernel/ fs/ ... $(ARCH_CORE) $(ARCH_LIB) $(ARCH_DRIVERS), the
// latter from arch/$(SRCARCH)/Makefile's core-y/libs-y/drivers-y) into
// every directory named in obj-y or obj-m, as kbuild's Makefile.lib reads
// them:
//
//   * obj-y objects of a directory reached through obj-y chains are linked
//     into vmlinux, and so are extra-y objects, and the lib-y objects of
//     the libs-y directories (lib/, arch/x86/lib/: their lib.a is linked;
//     another directory's lib.a, such as the EFI stub's, is not part of
//     vmlinux);
//   * obj-m objects are modules; a directory reached only through obj-m
//     builds modules only (its built-in.a is linked nowhere);
//   * foo.o with foo-objs/foo-y (and foo-m for a module) is a composite:
//     its parts are the compiled objects, linked where foo.o is;
//   * an object in both obj-y and obj-m is built in.
//
// It also records the descent itself: which directory's Makefile names each
// object and through which directories kbuild reaches it, for compiling
// chosen objects exactly as a full build does (kbuild_descent.h).
//
// Where a Makefile uses something the evaluator does not know (its object
// lists are "uncertain"), objects of that directory and below that the
// lists do not name are answered with a guess marked not certain: the
// caller includes them ("when in doubt, build it") and tolerates their
// failing to compile.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_CONFIGURED_OBJECTS_H
#define KSPLICE_CREATE_CONFIGURED_OBJECTS_H

#include "kconfig.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ksplice {

struct KbuildObject {
  std::string target;  // "vmlinux" or the module's name ("ext4")
  bool certain = true; // false: a guess inside an uncertain directory
  std::string dir;     // the directory whose Makefile builds it ("" = top)
};

class ConfiguredObjects {
public:
  /// Replays kbuild's descent over the tree at ROOT (the farm or any tree
  /// with the kernel's Makefiles) for CONFIG (CONFIG_X -> "y"/"m"/...).
  static ConfiguredObjects read(const std::string &root,
                                const std::map<std::string, std::string> &config,
                                const std::string &arch = "x86");

  /// Where OBJECT ("fs/proc/base.o": one compiled source) is linked;
  /// nullopt when the configured build does not build it.
  std::optional<KbuildObject> lookup(const std::string &object) const;

  /// The directory whose Makefile builds TARGET (an object or another
  /// kbuild target, such as a linker script): the one whose lists name
  /// it, else the nearest directory kbuild reaches above it ("" = top).
  std::string makefileDir(const std::string &target) const;
  /// The directories kbuild's descent passes through to reach DIR (one
  /// kbuild reaches), from the top ("") down to DIR itself.
  std::vector<std::string> descent(const std::string &dir) const;
  /// The subdirectories DIR's Makefile names in obj-y, obj-m, subdir-y
  /// and subdir-m under this configuration (with those of lists the
  /// evaluator cannot read): kbuild's subdir-ym, where a single-target
  /// build may descend.
  const std::vector<std::string> &subdirectories(const std::string &dir) const;

  /// Every object of the configured build (guesses aside), by path.
  const std::map<std::string, KbuildObject> &objects() const {
    return objects_;
  }
  size_t objectCount() const { return objects_.size(); }
  size_t directoryCount() const { return dirs_.size(); }
  /// Directories whose object lists the evaluator could not decide.
  std::vector<std::string> uncertainDirectories() const;
  /// Module names, sorted.
  std::vector<std::string> modules() const;
  /// Linker scripts kbuild makes (extra-y *.lds), e.g.
  /// "arch/x86/kernel/vmlinux.lds".
  const std::vector<std::string> &linkerScripts() const {
    return linkerScripts_;
  }

private:
  struct Dir {
    bool builtin = false;   // reached through obj-y all the way down
    bool uncertain = false; // its object lists are not fully known
    std::string parent;     // the directory that descends into it first
    std::vector<std::string> subdirs; // kbuild's subdir-ym
  };
  std::map<std::string, KbuildObject> objects_;
  std::map<std::string, Dir> dirs_;
  std::vector<std::string> linkerScripts_;
};

} // namespace ksplice

#endif
