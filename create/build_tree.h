//===- build_tree.h - ksplice-create's kernel build cache -----------------===//
//
// Pre and post objects are compiled in a tree ksplice-create owns, never in
// the user's: a "farm" that mirrors KERNEL_SRC file by file with symlinks,
// configured and prepared once (olddefconfig, prepare, modules_prepare) and
// then reused.  Building in the farm writes only the farm.  A file the patch
// changes is first replaced in the farm by a private copy, patched there,
// and turned back into a symlink afterwards, so the user's tree is never
// written, whether the run succeeds, fails or is interrupted (the next run
// restores any copy left behind).
//
// Objects are compiled with the kernel's own flags plus
// -ffunction-sections -fdata-sections, with Debian's release string
// (KERNELRELEASE) and package id (DISTRIBUTOR, DISTRIBUTION_VERSION) and
// the compiler the target's configuration names, and
// the farm's configuration must be the target's (kconfig.h), so that they
// match the running kernel's code.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_CREATE_BUILD_TREE_H
#define KSPLICE_CREATE_BUILD_TREE_H

#include "configured_objects.h"
#include "patch_file.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ksplice {

using Progress = std::function<void(const std::string &)>;

struct TreeOptions {
  std::string source;  // KERNEL_SRC, a clean source tree (read only)
  std::string config;  // the running kernel's .config
  std::string release; // its release, e.g. 6.1.0-56-amd64
  // Its LINUX_PACKAGE_ID, e.g. " Debian 6.1.192-3" ("": none), which
  // code prints (lib/dump_stack.c, kernel/hung_task.c): the farm's
  // include/generated/package.h must say the same.
  std::string packageId;
  std::string farm;    // the cache directory for the farm
  unsigned jobs = 1;
  // Header directories on every compile's include path, after the
  // kernel's own: <ksplice/hooks.h> for patches that register hooks.
  std::vector<std::string> includeDirs;
};

class BuildTree {
public:
  explicit BuildTree(TreeOptions opts, Progress progress)
      : opts(std::move(opts)), progress(std::move(progress)) {}

  /// Mirrors the source into the farm (new files linked, leftovers of an
  /// interrupted run restored) and prepares it if the config or release
  /// changed.
  llvm::Error sync();

  /// Compiles OBJECTS (paths relative to the tree, "fs/proc/cmdline.o",
  /// or any other single kbuild target such as a linker script) and copies
  /// each to OUTDIR/<object>.  Objects in MAYFAIL (guesses: their Makefile
  /// was not read exactly) may fail to build: they are listed in NOTBUILT
  /// instead of failing the call.
  llvm::Error compile(const std::vector<std::string> &objects,
                      const std::string &outDir,
                      const std::set<std::string> &mayFail = {},
                      std::vector<std::string> *notBuilt = nullptr);

  /// Applies PATCH (-p1) to private copies of the files it touches (files
  /// an earlier applyPatch already copied stay as they are: patches of a
  /// series apply on top of each other).
  llvm::Error applyPatch(const std::string &patch,
                         const std::vector<TouchedFile> &files);
  /// Undoes applyPatch: the touched files are links to the source again,
  /// and OBJECTS are deleted so the next compile rebuilds them.
  llvm::Error revert(const std::vector<TouchedFile> &files,
                     const std::vector<std::string> &objects);

  /// Builds of patched sources can make kbuild regenerate files of the
  /// prepared tree (a patched header that asm-offsets.c includes remakes
  /// asm-offsets.s); once the header is a link to the pristine (older)
  /// source again, make would take them for up to date.  So the first
  /// applyPatch() records the time, and endPatched() deletes every file
  /// (not link) of the farm written since, for kbuild to make them again
  /// from the pristine source.  A run interrupted in between is repaired
  /// by the next sync().
  llvm::Error endPatched();

  /// The end of a run that patched the tree, whatever happened: revert()
  /// and endPatched().  Returns the run's error RESULT if it has one (a
  /// failure to restore is then dropped), else the restore's.
  llvm::Error restore(llvm::Error result,
                      const std::vector<TouchedFile> &files,
                      const std::vector<std::string> &objects);

  /// The headers kbuild generates from C to tell assembly code the
  /// kernel's data layout (include/generated/asm-offsets.h, bounds.h), by
  /// path, with their contents.  Compared before and after a patch: a
  /// change means structure offsets changed.
  std::map<std::string, std::string> layoutHeaders() const;

  /// Where OBJECT is linked: "vmlinux", or the module's name, from the
  /// kbuild Makefiles and the config (configured_objects.h).
  std::string targetOf(const std::string &object) const;
  /// The configured build's objects (valid after sync()).
  const ConfiguredObjects &configured() const { return configured_; }

  const std::string &root() const { return opts.farm; }

  /// What the farm was prepared for (the config, release, source and
  /// compiler, as a digest; valid after sync()): objects compiled from the
  /// pristine source under one key are the same under the same key.
  std::string configurationKey() const;

private:
  std::string kcflags() const;
  llvm::Error link(const std::string &rel);
  llvm::Error prepare();
  std::vector<std::string> makeCommand() const;
  llvm::Error make(const std::vector<std::string> &args,
                   const std::string &what);

  TreeOptions opts;
  Progress progress;
  Kconfig kconfig;  // the farm's configuration
  std::string cc;   // the target's compiler (kconfigCompiler), "" = kbuild's
  ConfiguredObjects configured_;
};

} // namespace ksplice

#endif
