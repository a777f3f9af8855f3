// ksplice-apply's transaction: verify a package, load it, and write
// "apply" to its stage file, or "check" for a dry run; after a failure or
// a dry run, put the kernel back as it was.
//
// The phases, in order (ApplyReport::phases times the ones that ran):
//   verify         unpack and check the package; its signature against the
//                  trusted keys (signature.h); kernel-release = uname -r;
//                  on a kernel that loads only signed modules, the modules
//                  to load are signed
//   lock           the /run/ksplice lock: one apply or undo at a time;
//                  from here on SIGINT, SIGTERM, SIGHUP and SIGQUIT wait
//   prerequisites  the manifest's "after" patches are applied here
//   load_core      ksplice.ko from the package, if the core is not loaded;
//                  /sys/kernel/ksplice must appear
//   load_patch     the patch module, unless the update is already loaded;
//                  it must register /sys/kernel/ksplice/<id>/
//   apply | check  the stage write: the loader's run-pre matching, late
//                  relocations, stop_machine and (apply) the jumps
//   record         /run/ksplice/<id>/ (apply only)
//   persist        a copy of the package in /var/lib/ksplice/<release>/,
//                  applied again at boot (update/store.h); also for an
//                  update that was applied already; not with persist off
//   rollback       after a failure or a dry run: unload the patch module
//                  this run loaded, and the core if it loaded it and no
//                  update remains; a dry run restores the retries it set
#ifndef KSPLICE_UPDATE_APPLY_H
#define KSPLICE_UPDATE_APPLY_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host.h"
#include "report.h"
#include "signature.h"

namespace ksplice {

struct ApplyOptions {
  std::string package;
  bool dryRun = false;
  unsigned retries = 0;  // 0: the loader's default
  bool persist = true;   // keep the package for reboots (not dry runs)
  TrustPolicy trust;      // --keys, --allow-unsigned
};

struct ApplyReport {
  enum Outcome { Failed, Applied, AlreadyApplied, WouldApply };
  Outcome outcome = Failed;
  bool dryRun = false;
  std::string package;
  std::string id;           // from the manifest, once the package is verified
  std::string description;  // the manifest's
  // The package's signature: its signer's key fingerprint ("" unsigned),
  // and whether a trusted key verified it.
  std::string signer;
  bool signatureVerified = false;
  // After an apply or check that passed: what the loader replaces.
  std::vector<LoadedFunction> functions;
  // After an apply: where it stands with each target (a module that is not
  // loaded waits); empty on older cores.
  std::vector<LoadedTarget> targets;
  // The loader's pause_ns after its stage write, if it could be read.
  std::optional<uint64_t> pauseNs;
  // The loader's own files after its stage write (empty on older cores).
  std::vector<std::string> match;    // per-unit match counts
  std::vector<std::string> timings;  // "phase ns" lines
  // Set when the exit status is 1.  A dry run that passed but could not
  // unload what it loaded has both outcome WouldApply and a failure.
  std::optional<Failure> failure;
  // Did not change the outcome: a module that could not be unloaded, the
  // retries not restored, the record or the copy for reboots not written.
  std::vector<std::string> warnings;
  std::vector<Phase> phases;
};

ApplyReport applyUpdate(Host &host, const ApplyOptions &options);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_APPLY_H
