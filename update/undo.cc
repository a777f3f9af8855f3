#include "undo.h"

#include "fs.h"
#include "list.h"
#include "modules.h"

namespace ksplice {
namespace {

class Undo {
 public:
  Undo(Host &host, UndoReport &r)
      : host_(host), sysfs_(host.sysfs()), r_(r), clock_(host, r.phases) {}
  void run(const UndoOptions &o);

 private:
  // The one update of o.id, or with o.all every update, newest first, up
  // to a failure.
  void undoRequested(const UndoOptions &o);
  // Undoes one update; false if it failed.
  bool undoOne(const std::string &id);
  bool dropStaleRecord(UndoResult &u);
  void forget(UndoResult &u);
  bool isStored(const std::string &id) const;
  bool fail(UndoResult &u, Failure f) {
    u.failure = std::move(f);
    return false;
  }

  Host &host_;
  const Sysfs &sysfs_;
  UndoReport &r_;
  PhaseClock clock_;
};

// A record or a kept copy whose update the kernel no longer has
// (rebooted, and not applied again?).
bool Undo::dropStaleRecord(UndoResult &u) {
  bool recorded = bool(host_.records().get(u.id));
  if (!recorded && !isStored(u.id))
    return fail(u, toolFailure("update '" + u.id +
                               "' is not loaded in the kernel; "
                               "'ksplice-view' lists the loaded updates"));
  if (recorded)
    if (Status s = host_.records().remove(u.id); !s)
      return fail(u, toolFailure(s.message()));
  forget(u);
  u.outcome = UndoResult::StaleRecordRemoved;
  return true;
}

bool Undo::isStored(const std::string &id) const {
  auto release = host_.kernelRelease();
  if (release)
    for (const StoredUpdate &u : host_.store().list(*release))
      if (u.id == id)
        return true;
  return false;
}

// Not applied again at boot.
void Undo::forget(UndoResult &u) {
  auto release = host_.kernelRelease();
  Status s = release ? host_.store().remove(*release, u.id) : release.status();
  if (!s)
    u.warnings.push_back(s.message());
}

bool Undo::undoOne(const std::string &id) {
  r_.updates.emplace_back();
  UndoResult &u = r_.updates.back();
  u.id = id;
  if (Status s = checkUpdateId(id); !s)
    return fail(u, toolFailure(s.message()));
  if (!sysfs_.hasUpdate(id))
    return dropStaleRecord(u);
  auto stage = sysfs_.stage(id);
  if (!stage)
    return fail(u, toolFailure(stage.message()));
  u.stage = *stage;
  if (u.stage == "applied") {
    clock_.start("undo");
    Status undone = sysfs_.writeStage(id, "undo");
    if (auto ns = sysfs_.pauseNs(id))
      u.pauseNs = *ns;
    if (auto t = sysfs_.timings(id))
      u.timings = *t;
    if (!undone)
      return fail(u, refusal(sysfs_, id, "undo", undone,
                             sysfs_.abortCause(id)));
  }
  auto rec = host_.records().get(id);
  u.module = rec && !rec->module.empty() ? rec->module
                                         : defaultPatchModuleName(id);
  clock_.start("unload");
  if (Status s = host_.unloadModule(u.module); !s)
    return fail(u, toolFailure("update '" + id + "' is undone, but " +
                                   s.message() +
                                   "; unload it later with 'ksplice-undo " +
                                   id + "'",
                               "module_busy"));
  if (Status s = host_.records().remove(id); !s)
    u.warnings.push_back(s.message());
  forget(u);
  u.outcome = u.stage == "applied" ? UndoResult::Undone : UndoResult::Unloaded;
  return true;
}

void Undo::run(const UndoOptions &o) {
  clock_.start("lock");
  if (auto lock = host_.records().lock(); !lock) {
    r_.failure = toolFailure(lock.message());
  } else {
    // Not killed half-way (between undoing and unloading, or unloading and
    // removing the record): SIGINT and friends wait until it is done.
    CriticalSection critical;
    undoRequested(o);
  }
  clock_.stop();
}

void Undo::undoRequested(const UndoOptions &o) {
  if (!o.all) {
    undoOne(o.id);
    return;
  }
  auto order = updatesNewestFirst(host_);
  if (!order) {
    r_.failure = toolFailure(order.message());
    return;
  }
  r_.nothingToUndo = order->empty();
  for (const auto &id : *order)
    if (!undoOne(id))
      break;
}

}  // namespace

const Failure *UndoReport::firstFailure() const {
  if (failure)
    return &*failure;
  for (const UndoResult &u : updates)
    if (u.failure)
      return &*u.failure;
  return nullptr;
}

UndoReport undoUpdates(Host &host, const UndoOptions &options) {
  UndoReport r;
  Undo(host, r).run(options);
  return r;
}

}  // namespace ksplice
