// Shared fixtures for the update tests.
#ifndef KSPLICE_TESTS_UPDATE_TEST_UTIL_H
#define KSPLICE_TESTS_UPDATE_TEST_UTIL_H

#include <string>

#include "manifest.h"

namespace ksplice::test {

inline std::string hexOf(char c) { return std::string(64, c); }

// A valid manifest (files not yet filled in: writePackage computes them).
inline Manifest sampleFields(const std::string &id = "cmdline-fix") {
  Manifest m;
  m.id = id;
  m.description = "fix /proc/cmdline: show the \"real\" command line";
  m.kernelRelease = "0.0.0-ksplice-test";
  m.kernelBuild = hexOf('a');
  m.coreModule = "ksplice.ko";
  m.patchModule = "ksplice_" + id + ".ko";
  for (char &c : m.patchModule)
    if (c == '-')
      c = '_';
  m.units = {{"vmlinux", "fs/proc/cmdline.o"}, {"ext4", "fs/ext4/inode.o"}};
  m.functions = {{"fs/ext4/inode.o", "ext4_iget"},
                 {"fs/proc/cmdline.o", "cmdline_proc_show"}};
  m.newFunctions = {{"fs/proc/cmdline.o", "cmdline_helper"}};
  return m;
}

// sampleFields() with sha256 lines, as in a package.
inline Manifest sampleManifest() {
  Manifest m = sampleFields();
  m.files = {{hexOf('1'), "ksplice.ko"},
             {hexOf('2'), "ksplice_cmdline_fix.ko"},
             {hexOf('3'), "patch"}};
  return m;
}

}  // namespace ksplice::test

#endif
