//===- kbuild_descent.h - Compiling chosen objects as a full build does ---===//
//
// kbuild's single-target build (`make dir/x.o`) descends from the top into
// every subdirectory whose path is a prefix of the goal, not only into the
// one the Makefiles lead to.  arch/x86/pci/ is reached from the top Kbuild
// ($(ARCH_DRIVERS)), but `make arch/x86/pci/fixup.o` also enters
// arch/x86/, whose pattern rule builds arch/x86/pci/fixup.o as well: two
// makes write one object at once ("fixdep: error opening file:
// arch/x86/pci/.fixup.o.d"), one of them with arch/x86's flags.  The same
// happens below the top (drivers/ names both char/ and char/ipmi/).
//
// So objects are compiled through a descent of our own, kbuild's own but
// pruned to the directories on the way to them:
//
//   * the top Makefile is run with an extra makefile (-f Makefile -f TOP)
//     whose goal depends on `prepare` and enters the top directory, so
//     every variable the top Makefile exports is there, as in a full build;
//   * at each level scripts/Makefile.build reads the directory's Makefile
//     (subdir-ccflags-y and the other inherited flags accumulate exactly as
//     in a full build) and descends only into the next directories of the
//     chains ConfiguredObjects::descent() gives;
//   * each directory's objects are compiled by kbuild's single-target
//     build of that directory alone, started from its parent level, so no
//     other directory's make sees them.
//
// Every object is compiled by exactly one make, the one of the directory
// whose Makefile builds it, with the command line of a full build.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_KBUILD_DESCENT_H
#define KSPLICE_CREATE_KBUILD_DESCENT_H

#include "configured_objects.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ksplice {

/// The two makefiles of a pruned descent to TARGETS (kbuild targets
/// relative to the tree: objects, linker scripts).
struct KbuildDescent {
  std::string top;   // read after the top Makefile: the goal 'ksplice-targets'
  std::string level; // read by every level after scripts/Makefile.build
};

KbuildDescent planDescent(const ConfiguredObjects &configured,
                          const std::vector<std::string> &targets);

/// Writes DESCENT into DIR (the tree) and returns the make arguments that
/// build its targets: -f Makefile -f TOP KSPLICE_DESCENT=LEVEL GOAL.
llvm::Expected<std::vector<std::string>>
writeDescent(const KbuildDescent &descent, const std::string &dir);

} // namespace ksplice

#endif
