#include "report.h"

#include "host.h"

namespace ksplice {

std::string Failure::sentence() const {
  if (isKnownCause(token))
    return causeSentence(token);
  return toolCauseSentence(token);
}

Failure toolFailure(std::string message, std::string token) {
  Failure f;
  f.token = std::move(token);
  f.message = std::move(message);
  return f;
}

Failure refusal(const Sysfs &sysfs, const std::string &id,
                const std::string &action, const Status &written,
                const Result<std::string> &token) {
  if (!written.ok() && (!token || token->empty() || *token == "none"))
    return toolFailure(written.message());
  if (!token)
    return toolFailure(token.message());
  if (token->empty() || *token == "none")
    return toolFailure("the loader's " + action + " of update '" + id +
                       "' left " +
                       (token->empty() ? "an empty abort cause"
                                       : "the abort cause 'none'") +
                       "; nothing was changed");
  Failure f;
  f.token = *token;
  f.message = *token + ": " + causeSentence(*token);
  f.action = action;
  f.id = id;
  // Best effort: the cause is the answer, these only explain it.
  if (auto c = sysfs.conflicts(id))
    f.conflicts = *c;
  // The detail's two-space lines are the conflicting tasks again
  // (docs/loader.md); with the conflicts read, each is said once, from them.
  if (auto d = sysfs.detail(id))
    for (std::string &line : *d)
      if (f.conflicts.tasks.empty() || line.compare(0, 2, "  ") != 0)
        f.detail.push_back(std::move(line));
  return f;
}

void PhaseClock::start(const char *name) {
  stop();
  phases_.push_back({name, 0});
  startNs_ = host_.monotonicNs();
  running_ = true;
}

void PhaseClock::stop() {
  if (!running_)
    return;
  phases_.back().ns = host_.monotonicNs() - startNs_;
  running_ = false;
}

}  // namespace ksplice
