#include "cli.h"

#include <algorithm>

#include "causes.h"
#include "format.h"
#include "tool.h"

namespace ksplice {
namespace {

void addLine(std::string &text, const std::string &line) {
  text += line;
  text += '\n';
}

// stderr for a failure and the warnings that came with it (see cli.h).
std::string errorText(const std::string &tool, const Failure *f,
                      const std::vector<std::string> &warnings, bool raw) {
  std::string err;
  if (f && raw)
    addLine(err, f->token);
  for (const std::string &w : warnings)
    addLine(err, tool + ": warning: " + w);
  if (!f)
    return err;
  if (f->byLoader()) {
    for (const std::string &line : abortReport(tool, f->id, f->action,
                                               f->token, f->conflicts, false,
                                               f->detail))
      addLine(err, line);
  } else {
    addLine(err, tool + ": error: " + f->message);
  }
  for (const std::string &n : f->notes)
    addLine(err, tool + ": note: " + n);
  return err;
}

std::string withDescription(const std::string &what,
                            const std::string &description) {
  return description.empty() ? what : what + ": " + description;
}

// "<what> 'id': description", the functions, the pause.
std::string summary(const ApplyReport &r, const std::string &what,
                    const std::string &replaced, const std::string &paused) {
  std::string out;
  addLine(out, withDescription(what + " '" + r.id + "'", r.description));
  for (const LoadedFunction &f : r.functions) {
    bool waiting = std::any_of(
        r.targets.begin(), r.targets.end(), [&](const LoadedTarget &t) {
          return t.name == f.object && t.state == "waiting";
        });
    addLine(out, "  " + (waiting ? "will replace" : replaced) + " '" +
                     f.name + "' in " + f.object +
                     (waiting ? " when it is loaded (not loaded now)" : ""));
  }
  if (r.pauseNs)
    addLine(out, "  " + paused + " " + formatPause(*r.pauseNs));
  return out;
}

std::string functionsJson(const std::vector<LoadedFunction> &functions) {
  std::vector<std::string> items;
  for (const LoadedFunction &f : functions)
    items.push_back(
        JsonObject().str("name", f.name).str("object", f.object).text());
  return jsonArray(items);
}

std::string conflictsJson(const Conflicts &c) {
  std::vector<std::string> items;
  for (const Conflict &t : c.tasks) {
    const char *state = t.kind == Conflict::Running ? "running"
                        : t.kind == Conflict::UnreliableStack
                            ? "unreliable_stack"
                            : "in_function";
    items.push_back(JsonObject()
                        .num("pid", uint64_t(t.pid))
                        .str("comm", t.comm)
                        .str("state", state)
                        .strOrNull("function", t.kind == Conflict::InFunction
                                             ? std::optional(t.function)
                                             : std::nullopt)
                        .text());
  }
  return jsonArray(items);
}

std::string phasesJson(const std::vector<Phase> &phases) {
  std::vector<std::string> items;
  for (const Phase &p : phases)
    items.push_back(JsonObject().str("name", p.name).num("ns", p.ns).text());
  return jsonArray(items);
}

// The loader's "phase ns" lines as phases; a line of another form keeps
// its text as the name, with "ns": null.
std::string loaderTimingsJson(const std::vector<std::string> &lines) {
  std::vector<std::string> items;
  for (const std::string &line : lines) {
    size_t sp = line.rfind(' ');
    std::string num = sp == std::string::npos ? "" : line.substr(sp + 1);
    bool digits = !num.empty() && num.size() < 20 &&
                  num.find_first_not_of("0123456789") == std::string::npos;
    JsonObject o;
    if (digits)
      o.str("name", line.substr(0, sp)).num("ns", uint64_t(std::stoull(num)));
    else
      o.str("name", line).raw("ns", "null");
    items.push_back(o.text());
  }
  return jsonArray(items);
}

// The fields every --json report has about its failure; null and empty
// without one.
void failureFields(JsonObject &o, const Failure *f) {
  std::optional<std::string> token, sentence, message;
  if (f) {
    token = f->token;
    message = f->message;
    if (std::string s = f->sentence(); !s.empty())
      sentence = s;
  }
  o.strOrNull("token", token)
      .strOrNull("sentence", sentence)
      .strOrNull("message", message)
      .raw("detail", jsonStrings(f ? f->detail : std::vector<std::string>()))
      .raw("conflicts", conflictsJson(f ? f->conflicts : Conflicts()))
      .boolean("conflicts_truncated", f && f->conflicts.truncated)
      .raw("notes", jsonStrings(f ? f->notes : std::vector<std::string>()));
}

const char *applyOutcome(ApplyReport::Outcome o) {
  switch (o) {
    case ApplyReport::Applied: return "applied";
    case ApplyReport::AlreadyApplied: return "already_applied";
    case ApplyReport::WouldApply: return "would_apply";
    case ApplyReport::Failed: break;
  }
  return "failed";
}

const char *undoOutcome(UndoResult::Outcome o) {
  switch (o) {
    case UndoResult::Undone: return "undone";
    case UndoResult::Unloaded: return "unloaded";
    case UndoResult::StaleRecordRemoved: return "stale_record_removed";
    case UndoResult::Failed: break;
  }
  return "failed";
}

std::optional<std::string> nonEmpty(const std::string &s) {
  return s.empty() ? std::nullopt : std::optional(s);
}

std::string viewJsonObject(const UpdateView &v) {
  JsonObject o;
  o.str("id", v.id)
      .str("stage", v.stage)
      .str("description", v.description)
      .numOrNull("applied_at", v.record ? std::optional(v.record->appliedAt)
                                  : std::nullopt)
      .numOrNull("sequence", v.record ? std::optional(v.record->sequence)
                                : std::nullopt)
      .numOrNull("pause_ns", v.pauseNs)
      .raw("functions", functionsJson(v.functions));
  if (!v.hooks.empty()) {
    std::vector<std::string> hooks;
    for (const LoadedHook &h : v.hooks)
      hooks.push_back(
          JsonObject().str("kind", h.kind).str("function", h.function).text());
    o.raw("hooks", jsonArray(hooks));
  }
  if (!v.targets.empty()) {
    std::vector<std::string> targets;
    for (const LoadedTarget &t : v.targets) {
      JsonObject to;
      to.str("name", t.name).str("state", t.state);
      if (!t.token.empty())
        to.str("token", t.token);
      targets.push_back(to.text());
    }
    o.raw("targets", jsonArray(targets));
  }
  if (v.patch)
    o.str("patch", *v.patch);
  return o.text();
}

}  // namespace

std::string failureText(const std::string &tool, const Failure &f, bool raw) {
  return errorText(tool, &f, {}, raw);
}

std::vector<std::string> abortReport(const std::string &tool,
                                     const std::string &id,
                                     const std::string &action,
                                     const std::string &token,
                                     const Conflicts &conflicts, bool raw,
                                     const std::vector<std::string> &detail) {
  std::vector<std::string> lines;
  if (raw)
    lines.push_back(token);
  lines.push_back(tool + ": error: " + token + ": " + causeSentence(token));
  if (action == "check")
    lines.push_back(tool + ": note: the loader's check (dry run) found that "
                           "update '" + id + "' would not apply now; nothing "
                           "was changed");
  else
    lines.push_back(tool + ": note: the loader refused to " + action +
                    " update '" + id + "'");
  for (const std::string &d : detail)
    lines.push_back(tool + ": note: " + d);
  for (const Conflict &c : conflicts.tasks)
    lines.push_back(tool + ": note: " + describeConflict(c));
  if (conflicts.truncated)
    lines.push_back(tool + ": note: (more tasks conflicted; the loader "
                           "listed only the first ones)");
  return lines;
}

Printed printApply(const std::string &tool, const ApplyReport &r, bool raw) {
  Printed p;
  switch (r.outcome) {
    case ApplyReport::AlreadyApplied:
      addLine(p.out, "update '" + r.id + "' is already applied; nothing to " +
                         (r.dryRun ? "check" : "do"));
      break;
    case ApplyReport::Applied:
      p.out = summary(r, "applied update", "replaced",
                      "the kernel was paused for");
      break;
    case ApplyReport::WouldApply:
      p.out = summary(r, "dry run of update", "would replace",
                      "the check paused the kernel for");
      addLine(p.out, "update '" + r.id + "' would apply now; nothing was "
                                         "changed");
      break;
    case ApplyReport::Failed:
      break;
  }
  const Failure *f = r.failure ? &*r.failure : nullptr;
  p.err = errorText(tool, f, r.warnings, raw);
  p.status = f ? kExitError : 0;
  return p;
}

// "boot: 'ID' waits: module 'M' is not loaded ...", with the loader's detail.
static std::string bootWaitingLine(const ApplyReport &u,
                                   const std::string &module) {
  std::string line = "boot: '" + u.id + "' waits: ";
  if (module.empty())
    line += "it builds on an update that waits";
  else
    line += "module '" + module + "' is not loaded (the update must find "
            "it loaded); it is applied when the module loads";
  if (u.failure && !module.empty())
    for (const std::string &d : u.failure->detail)
      line += "\n  " + d;
  return line;
}

Printed printBoot(const std::string &tool, const BootReport &r) {
  Printed p;
  if (r.failure) {
    p.err = errorText(tool, &*r.failure, {}, false);
    p.status = kExitError;
    return p;
  }
  size_t n = r.updates.size();
  addLine(p.out, "boot: " + std::to_string(n) + " update" +
                     (n == 1 ? "" : "s") + " kept for kernel '" + r.release +
                     "'");
  for (size_t i = 0; i < n; i++) {
    const ApplyReport &u = r.updates[i];
    if (r.waitingFor[i]) {
      addLine(p.out, bootWaitingLine(u, *r.waitingFor[i]));
      continue;
    }
    Printed one = printApply(tool, u, false);
    p.out += one.out + one.err;
  }
  for (const BootReport::OtherKernel &k : r.skipped) {
    std::string ids;
    for (const std::string &id : k.ids)
      ids += (ids.empty() ? "'" : ", '") + id + "'";
    addLine(p.out, tool + ": note: left alone, kept for kernel '" +
                       k.release + "', not this one: " + ids +
                       " (ksplice-undo on that kernel, or remove them from '" +
                       r.storeRoot + "/" + k.release + "')");
  }
  size_t failed = r.failed(), waiting = r.waiting();
  addLine(p.out, "boot: " + std::to_string(n - failed - waiting) +
                     " applied, " +
                     (waiting ? std::to_string(waiting) +
                                    " waiting for a module, "
                              : "") +
                     std::to_string(failed) + " failed");
  if (!r.markError.empty())
    addLine(p.err, tool + ": warning: the modules waited for are not "
                          "marked, so their updates are not applied when "
                          "they load: " + r.markError);
  if (waiting && !failed)
    p.status = kExitWaiting;
  if (failed) {
    addLine(p.err, tool + ": error: " + std::to_string(failed) + " of " +
                       std::to_string(n) + " updates kept for kernel '" +
                       r.release + "' did not apply (see above)");
    p.status = kExitError;
  }
  return p;
}

Printed applyJson(const ApplyReport &r) {
  JsonObject o;
  o.str("outcome", applyOutcome(r.outcome))
      .boolean("dry_run", r.dryRun)
      .str("package", r.package)
      .strOrNull("id", nonEmpty(r.id))
      .strOrNull("description", r.id.empty() ? std::nullopt
                                       : std::optional(r.description))
      .strOrNull("signer", nonEmpty(r.signer))
      .boolean("signature_verified", r.signatureVerified);
  failureFields(o, r.failure ? &*r.failure : nullptr);
  o.raw("functions", functionsJson(r.functions))
      .numOrNull("pause_ns", r.pauseNs)
      .raw("match", jsonStrings(r.match))
      .raw("loader_timings", loaderTimingsJson(r.timings))
      .raw("phases", phasesJson(r.phases))
      .raw("warnings", jsonStrings(r.warnings));
  return {o.text() + "\n", "", r.failure ? kExitError : 0};
}

Printed printUndo(const std::string &tool, const UndoReport &r, bool raw) {
  Printed p;
  std::vector<std::string> warnings;
  for (const UndoResult &u : r.updates) {
    warnings.insert(warnings.end(), u.warnings.begin(), u.warnings.end());
    switch (u.outcome) {
      case UndoResult::Undone:
        addLine(p.out, "undid update '" + u.id + "'");
        break;
      case UndoResult::Unloaded:
        addLine(p.out, "update '" + u.id + "' was not applied (" + u.stage +
                           "); unloaded its module '" + u.module + "'");
        break;
      case UndoResult::StaleRecordRemoved:
        addLine(p.out, "update '" + u.id +
                           "' is not loaded in the kernel (rebooted?); "
                           "removed its stale record");
        break;
      case UndoResult::Failed:
        break;
    }
  }
  if (r.nothingToUndo)
    addLine(p.out, "no updates are loaded; nothing to undo");
  const Failure *f = r.firstFailure();
  p.err = errorText(tool, f, warnings, raw);
  p.status = f ? kExitError : 0;
  return p;
}

Printed undoJson(const UndoReport &r) {
  std::vector<std::string> updates;
  for (const UndoResult &u : r.updates) {
    JsonObject o;
    o.str("id", u.id)
        .str("outcome", undoOutcome(u.outcome))
        .strOrNull("stage", nonEmpty(u.stage))
        .strOrNull("module", nonEmpty(u.module));
    failureFields(o, u.failure ? &*u.failure : nullptr);
    o.numOrNull("pause_ns", u.pauseNs)
        .raw("loader_timings", loaderTimingsJson(u.timings))
        .raw("warnings", jsonStrings(u.warnings));
    updates.push_back(o.text());
  }
  const Failure *f = r.firstFailure();
  JsonObject o;
  o.str("outcome", f ? "failed" : r.nothingToUndo ? "nothing_to_undo" : "undone");
  failureFields(o, f);
  o.raw("updates", jsonArray(updates)).raw("phases", phasesJson(r.phases));
  return {o.text() + "\n", "", f ? kExitError : 0};
}

namespace {

// "kstest waiting", "kstest refused (no_match)": the module targets of an
// applied update that are not patched; "" when all are.
std::string unpatchedTargets(const UpdateView &v) {
  std::string s;
  for (const LoadedTarget &t : v.targets) {
    if (t.state == "loaded-patched" || t.state == "unpatched")
      continue;
    s += (s.empty() ? "" : ",") + t.name + " " + t.state +
         (t.token.empty() ? "" : " (" + t.token + ")");
  }
  return s;
}

// One line of printView()'s "targets:".
std::string describeTarget(const LoadedTarget &t) {
  if (t.state == "loaded-patched")
    return t.name + ": loaded and patched";
  if (t.state == "waiting")
    return t.name + ": not loaded; patched when it is loaded";
  if (t.state == "refused")
    return t.name + ": its last load was refused (" + t.token + "): " +
           causeSentence(t.token);
  return t.name + ": " + t.state;
}

}  // namespace

Printed printList(const std::vector<UpdateView> &views) {
  Printed p;
  if (views.empty())
    addLine(p.out, "no updates are loaded");
  for (const UpdateView &v : views) {
    std::string functions;
    for (const LoadedFunction &f : v.functions)
      functions += (functions.empty() ? "" : ",") + f.name;
    addLine(p.out, v.id + "  " + v.stage + "  '" + v.description +
                       "'  applied-at " +
                       (v.record ? formatTime(v.record->appliedAt) : "-") +
                       "  functions " + (functions.empty() ? "-" : functions) +
                       (unpatchedTargets(v).empty()
                            ? ""
                            : "  targets " + unpatchedTargets(v)));
  }
  return p;
}

Printed printView(const UpdateView &v) {
  Printed p;
  addLine(p.out, "update '" + v.id + "' is " + v.stage);
  addLine(p.out, "description: " + v.description);
  if (v.record)
    addLine(p.out, "applied at: " + formatTime(v.record->appliedAt));
  if (v.pauseNs)
    addLine(p.out, "pause: " + formatPause(*v.pauseNs));
  addLine(p.out, "functions:");
  for (const LoadedFunction &f : v.functions)
    addLine(p.out, "  " + f.name + " (" + f.object + ")");
  if (!v.hooks.empty())
    addLine(p.out, "hooks:");
  for (const LoadedHook &h : v.hooks)
    addLine(p.out, "  " + h.kind + " " + h.function);
  if (!v.targets.empty())
    addLine(p.out, "targets:");
  for (const LoadedTarget &t : v.targets)
    addLine(p.out, "  " + describeTarget(t));
  if (v.patch)
    p.out += "patch:\n" + *v.patch;
  else
    addLine(p.out, "patch: not recorded (the update was not applied with "
                   "ksplice-apply on this boot)");
  return p;
}

Printed viewJson(const std::vector<UpdateView> &views,
                 const std::vector<SeriesAt> *series) {
  std::vector<std::string> items;
  for (const UpdateView &v : views)
    items.push_back(viewJsonObject(v));
  JsonObject o;
  o.raw("updates", jsonArray(items));
  if (series) {
    std::vector<std::string> levels;
    for (const SeriesAt &s : *series)
      levels.push_back(seriesLevelJson(s.series, s.level));
    o.raw("series", jsonArray(levels));
  }
  return {o.text() + "\n", "", 0};
}

}  // namespace ksplice
