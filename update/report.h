// What the apply, undo and list transactions report besides their result:
// why they failed, the phases they went through and how long each took.
// Rendering is in cli.h; the transactions never print.
#ifndef KSPLICE_UPDATE_REPORT_H
#define KSPLICE_UPDATE_REPORT_H

#include <cstdint>
#include <string>
#include <vector>

#include "causes.h"
#include "result.h"
#include "sysfs.h"

namespace ksplice {

class Host;

// Why an action failed.  Either the loader refused (action is set, token
// is its abort cause) or the tool failed on its own (token is
// bad_package, missing_prerequisite, module_busy or other).
struct Failure {
  std::string token = kOtherErrorToken;  // --raw-errors' first line
  std::string message;                   // the text after "TOOL: error: "
  std::string action;  // the loader refused this: "apply", "check", "undo"
  std::string id;      // ... on this update
  Conflicts conflicts;              // the tasks in the way (code_busy)
  std::vector<std::string> detail;  // the loader's detail lines
  std::vector<std::string> notes;   // more to say, one line each

  bool byLoader() const { return !action.empty(); }
  // The sentence of the token, loader's or the tools', or "".
  std::string sentence() const;
};

// A failure of the tool itself.
Failure toolFailure(std::string message, std::string token = kOtherErrorToken);

// Why the loader refused `action` on update `id` after writing it to the
// stage file gave `written`: its abort cause `token`, with the conflicts
// and the detail it left in sysfs; or, when it left no cause (or it cannot
// be read), the write's own error.
Failure refusal(const Sysfs &sysfs, const std::string &id,
                const std::string &action, const Status &written,
                const Result<std::string> &token);

// One step of a transaction and its wall time.
struct Phase {
  std::string name;
  uint64_t ns = 0;
};

// Times the phases of a transaction with the host's monotonic clock.
class PhaseClock {
 public:
  PhaseClock(const Host &host, std::vector<Phase> &phases)
      : host_(host), phases_(phases) {}
  // Ends the running phase, if any, and starts `name`.
  void start(const char *name);
  // Ends the running phase.
  void stop();

 private:
  const Host &host_;
  std::vector<Phase> &phases_;
  uint64_t startNs_ = 0;
  bool running_ = false;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_REPORT_H
