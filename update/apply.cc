#include "apply.h"

#include "causes.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs.h"
#include "module_signature.h"
#include "modules.h"
#include "package.h"

namespace ksplice {
namespace {

class Apply {
 public:
  Apply(Host &host, const ApplyOptions &o, ApplyReport &r)
      : host_(host), sysfs_(host.sysfs()), o_(o), r_(r), clock_(host, r.phases) {}
  void run();

 private:
  // Everything after verify(): the lock held, signals held back.
  void underLock();
  // Each step returns false once it has set r_.failure.
  bool verify();
  bool checkSignature();
  bool checkModuleSignatures();
  bool checkPrerequisites();
  bool loadCore();
  bool loadPatch();
  Failure loadFailure(const std::string &module, const Status &loaded) const;
  bool setRetries();
  void stageWrite();
  void check();
  void record();
  void persist();
  bool rollback();
  bool rollBackAndFail(Failure f) {
    rollback();
    return fail(std::move(f));
  }
  void readLoaderFiles();
  bool fail(Failure f);
  bool fail(std::string message, const char *token = kOtherErrorToken) {
    return fail(toolFailure(std::move(message), token));
  }
  void warn(const Status &s) { r_.warnings.push_back(s.message()); }
  std::string inPackage(const std::string &file) const {
    return pkg_->dir + "/" + file;
  }

  Host &host_;
  const Sysfs &sysfs_;
  const ApplyOptions &o_;
  ApplyReport &r_;
  PhaseClock clock_;
  TempDir tmp_;
  std::optional<OpenedPackage> pkg_;
  bool loadedCore_ = false;
  std::string coreName_ = kCoreModuleName;
  std::string loadedPatch_;  // the patch module this run loaded
  unsigned oldRetries_ = 0;  // to restore after a dry run, if not ours
};

bool Apply::fail(Failure f) {
  r_.failure = std::move(f);
  return false;
}

// The package, complete and for this kernel.
bool Apply::verify() {
  clock_.start("verify");
  auto tmp = TempDir::create("ksplice-apply.");
  if (!tmp)
    return fail(tmp.message());
  tmp_ = std::move(*tmp);
  if (access(o_.package.c_str(), R_OK) != 0)
    return fail("cannot read package '" + o_.package +
                "': " + strerror(errno));
  auto pkg = openPackage(o_.package, tmp_.path());
  if (!pkg)
    return fail(pkg.message(), "bad_package");
  pkg_ = std::move(*pkg);
  const Manifest &m = pkg_->manifest;
  r_.id = m.id;
  r_.description = m.description;
  auto release = host_.kernelRelease();
  if (!release)
    return fail(release.message());
  if (!checkSignature())
    return false;
  if (m.kernelRelease != *release)
    return fail("update '" + m.id + "' in '" + o_.package + "' is for kernel '" +
                m.kernelRelease + "', but this host runs '" + *release +
                "'; nothing was changed: build the update for this kernel "
                "with ksplice-create, or apply it on a host running '" +
                m.kernelRelease + "'");
  return checkModuleSignatures();
}

// Before anything of the package is used: who signed it, and whether this
// host trusts them (signature.h has the policy).
bool Apply::checkSignature() {
  const std::string *sig = pkg_->signature ? &*pkg_->signature : nullptr;
  auto c = ksplice::checkSignature(pkg_->manifestText, sig, o_.trust);
  if (!c)
    return fail(c.message());
  r_.signer = c->signer;
  r_.signatureVerified = c->verified;
  r_.warnings.insert(r_.warnings.end(), c->warnings.begin(), c->warnings.end());
  if (!c->cause.empty())
    return fail("update '" + r_.id + "' in '" + o_.package + "': " + c->message +
                    "; nothing was loaded",
                c->cause.c_str());
  return true;
}

// A kernel that loads only signed modules would refuse ours half-way:
// say so before loading anything.  The key itself only the kernel can
// check (a signature it does not trust fails the load).
bool Apply::checkModuleSignatures() {
  std::string why = host_.moduleSignatureEnforcement();
  if (why.empty())
    return true;
  const Manifest &m = pkg_->manifest;
  for (const std::string *file : {&m.coreModule, &m.patchModule}) {
    auto data = readFile(inPackage(*file));
    if (!data)
      return fail(data.message());
    if (!hasModuleSignature(*data))
      return fail(unsignedModuleMessage(why, *file) + "; nothing was loaded",
                  kUnsignedModuleToken);
  }
  return true;
}

// Built --after earlier patches: those updates must be applied now, or the
// loader could match this update's pre code against a kernel state nobody
// built it for.  Decided before anything is loaded; an update that is
// already applied needs no check.
bool Apply::checkPrerequisites() {
  if (sysfs_.hasUpdate(r_.id))
    if (auto stage = sysfs_.stage(r_.id); stage && *stage == "applied")
      return true;
  clock_.start("prerequisites");
  Status s = ksplice::checkPrerequisites(pkg_->manifest, o_.package,
                                         host_.records(), sysfs_);
  if (!s)
    return fail(s.message(), kMissingPrerequisiteToken);
  return true;
}

// The core module from the package, if none is loaded.
bool Apply::loadCore() {
  if (sysfs_.coreLoaded())
    return true;
  clock_.start("load_core");
  const std::string &file = pkg_->manifest.coreModule;
  auto name = moduleNameOf(inPackage(file));
  if (!name)
    return fail(name.message(), "bad_package");
  coreName_ = *name;
  if (Status s = host_.loadModule(inPackage(file)); !s)
    return fail(s.message() + "; nothing was changed");
  loadedCore_ = true;
  if (sysfs_.coreLoaded())
    return true;
  if (Status s = host_.unloadModule(coreName_); !s)
    warn(s);
  loadedCore_ = false;
  return fail("loaded the core module '" + coreName_ + "', but '" +
                  sysfs_.root() +
                  "' did not appear; the package's '" + file +
                  "' is not the ksplice core: rebuild the package with "
                  "ksplice-create",
              "bad_package");
}

// The patch module, which registers the update; an update that is loaded
// already (by another tool, or a failed undo) is used as it is.
bool Apply::loadPatch() {
  const std::string &id = r_.id;
  if (sysfs_.hasUpdate(id)) {
    auto stage = sysfs_.stage(id);
    if (!stage)
      return fail(stage.message());
    if (*stage == "applied")
      r_.outcome = ApplyReport::AlreadyApplied;
    // Loaded (or reversed) but not applied: apply the module that is there.
    return true;
  }
  clock_.start("load_patch");
  const std::string &file = pkg_->manifest.patchModule;
  auto name = moduleNameOf(inPackage(file));
  if (!name)
    return rollBackAndFail(toolFailure(name.message(), "bad_package"));
  if (Status s = host_.loadModule(inPackage(file)); !s)
    return rollBackAndFail(loadFailure(*name, s));
  loadedPatch_ = *name;
  if (sysfs_.hasUpdate(id))
    return true;
  return rollBackAndFail(toolFailure(
      "patch module '" + file + "' loaded but did not register update '" +
          id + "' in '" + sysfs_.root() +
          "'; the package is inconsistent: rebuild it with ksplice-create",
      "bad_package"));
}

// Why patch module `module` did not load: the core's own refusal when it
// refused it (its tables refer to a module that is not loaded, ...), else
// the module loader's error.
Failure Apply::loadFailure(const std::string &module,
                           const Status &loaded) const {
  auto refused = sysfs_.refusedLoad();
  if (!refused || refused->empty() ||
      refused->front().rfind(module + " ", 0) != 0)
    return toolFailure(loaded.message() + "; nothing was changed");
  Failure f;
  f.token = refused->front().substr(module.size() + 1);
  f.message = f.token + ": " + causeSentence(f.token);
  f.action = "load";
  f.id = r_.id;
  f.detail.assign(refused->begin() + 1, refused->end());
  f.notes.push_back("nothing was changed");
  return f;
}

// --retries; a dry run on an update someone else loaded puts them back.
bool Apply::setRetries() {
  if (!o_.retries)
    return true;
  if (o_.dryRun && loadedPatch_.empty())
    if (auto r = sysfs_.retries(r_.id))
      oldRetries_ = *r;
  if (Status s = sysfs_.setRetries(r_.id, o_.retries); !s)
    return rollBackAndFail(toolFailure(s.message() + "; nothing was changed"));
  return true;
}

// What the loader says about its last action, read before a rollback
// unloads the module and its directory goes away.
void Apply::readLoaderFiles() {
  if (auto ns = sysfs_.pauseNs(r_.id))
    r_.pauseNs = *ns;
  if (auto m = sysfs_.match(r_.id))
    r_.match = *m;
  if (auto t = sysfs_.timings(r_.id))
    r_.timings = *t;
}

void Apply::stageWrite() {
  const std::string &id = r_.id;
  clock_.start("apply");
  Status applied = sysfs_.writeStage(id, "apply");
  readLoaderFiles();
  if (!applied) {
    rollBackAndFail(refusal(sysfs_, id, "apply", applied,
                            sysfs_.abortCause(id)));
    return;
  }
  r_.outcome = ApplyReport::Applied;
  if (auto funcs = sysfs_.functions(id))
    r_.functions = *funcs;
  if (auto targets = sysfs_.targets(id))
    r_.targets = *targets;
  record();
  persist();
}

// The dry run proper: writes "check" and reports what the loader found.
// Changes nothing.
void Apply::check() {
  const std::string &id = r_.id;
  clock_.start("check");
  Status checked = sysfs_.writeStage(id, "check");
  auto token = sysfs_.abortCause(id);
  readLoaderFiles();
  // A write that succeeded with a cause other than "none" would be a
  // loader bug: report the cause rather than claim the update would apply.
  if (checked && token && *token == "none") {
    r_.outcome = ApplyReport::WouldApply;
    if (auto funcs = sysfs_.functions(id))
      r_.functions = *funcs;
  } else {
    Failure f = refusal(sysfs_, id, "check", checked, token);
    // The update is loaded or reversed here, which a check accepts; only a
    // core module from before dry runs refuses the word "check" itself.
    if (f.token == "bad_state")
      f.notes.push_back("if the loaded core module is older than this "
                        "ksplice-apply, it does not know 'check' and "
                        "refuses it this way: a dry run needs a newer core");
    fail(std::move(f));
  }
  if (oldRetries_)
    if (Status s = sysfs_.setRetries(id, oldRetries_); !s)
      warn(s);
  if (rollback())
    return;
  std::string unloaded = "the dry run of update '" + id +
                         "' could not unload the modules it loaded (see the "
                         "warnings above); unload them with rmmod";
  if (r_.failure)
    r_.failure->notes.push_back(unloaded);
  else
    fail(unloaded);
}

void Apply::record() {
  clock_.start("record");
  std::string module = loadedPatch_;
  if (module.empty())
    if (auto n = moduleNameOf(inPackage(pkg_->manifest.patchModule)))
      module = *n;
  auto rec = host_.records().add(r_.id, inPackage("manifest"),
                                 inPackage("patch"), module, host_.now());
  if (!rec)
    r_.warnings.push_back(
        "the update is applied, but it could not be recorded: " +
        rec.message() + "; 'ksplice-undo --all' will not see it, undo it "
        "with 'ksplice-undo " + r_.id + "'");
}

// The package, for `ksplice-apply --boot` after a reboot.
void Apply::persist() {
  if (!o_.persist)
    return;
  clock_.start("persist");
  Status s = host_.store().add(pkg_->manifest.kernelRelease, r_.id,
                               o_.package);
  if (!s)
    r_.warnings.push_back("the update is applied, but " + s.message() +
                          "; it will not be applied again after a reboot");
}

// Puts the kernel back as it was (unloads the modules this run loaded);
// false if a module could not be unloaded.
bool Apply::rollback() {
  clock_.start("rollback");
  bool ok = true;
  if (!loadedPatch_.empty()) {
    if (Status s = host_.unloadModule(loadedPatch_); !s) {
      warn(s);
      ok = false;
    } else {
      loadedPatch_.clear();
    }
  }
  if (loadedCore_) {
    auto left = sysfs_.updates();
    if (left && left->empty()) {
      if (Status s = host_.unloadModule(coreName_); !s) {
        warn(s);
        ok = false;
      } else {
        loadedCore_ = false;
      }
    }
  }
  clock_.stop();
  return ok;
}

void Apply::run() {
  if (verify())
    underLock();
  clock_.stop();
}

void Apply::underLock() {
  clock_.start("lock");
  auto lock = host_.records().lock();
  if (!lock)
    return (void)fail(lock.message());
  // Not killed half-way (between loading and applying, or applying and
  // recording): SIGINT and friends wait until the transaction is done.
  CriticalSection critical;
  if (!checkPrerequisites() || !loadCore() || !loadPatch())
    return;
  if (r_.outcome == ApplyReport::AlreadyApplied) {
    if (!o_.dryRun)
      persist();
    return;
  }
  if (!setRetries())
    return;
  if (o_.dryRun)
    check();
  else
    stageWrite();
}

}  // namespace

ApplyReport applyUpdate(Host &host, const ApplyOptions &options) {
  ApplyReport r;
  r.dryRun = options.dryRun;
  r.package = options.package;
  Apply(host, options, r).run();
  return r;
}

}  // namespace ksplice
