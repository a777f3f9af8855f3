// The shell every ksplice command shares (ksplice-create, ksplice-diff,
// ksplice-apply, ksplice-undo, ksplice-view, ksplice-klp-convert): its name
// on every message, messages in one form, option parsing and the exit
// statuses.
//
// Exit statuses.  0 and 1 mean the same in every tool: done, and an error
// that the message explains.  A status from 2 up is an outcome of the
// tool's own (ksplice-create, ksplice-diff: 2 refused as unsafe, 3 no
// functional change).  The rule for a usage error (an unknown option, a
// missing or malformed argument): it exits 2, unless 2 is an outcome of
// the tool, and then 1, so that a typo is never read as a verdict.
// --help exits 0.
#ifndef KSPLICE_UPDATE_TOOL_H
#define KSPLICE_UPDATE_TOOL_H

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ksplice {

inline constexpr int kExitError = 1;

class Tool {
 public:
  // A status other than 0 and 1, or 0 with its meaning for this tool.
  struct Outcome {
    int status;
    const char *meaning;
  };
  // `outcomes`: what 0 means, and any status from 2 up.
  Tool(const char *name, std::vector<Outcome> outcomes);

  const char *name() const { return name_; }
  // 2, or 1 when 2 is an outcome.
  int usageStatus() const;
  // "Exit status: 0 ..., 1 error, 2 usage error." for --help.
  std::string exitStatusHelp() const;

  // Parses argv (appending exitStatusHelp() to the help); nullopt to go
  // on, else the status to exit with: 0 after --help, usageStatus() after
  // a usage error, which the parser has printed.
  std::optional<int> parse(CLI::App &app, int argc, char **argv) const;

  // "<name>: error: <message>" on stderr; returns kExitError.
  int error(const std::string &message) const;
  void warning(const std::string &message) const;
  // "<name>: <message>" on stderr (progress).
  void say(const std::string &message) const;
  // Writes text as it is (a rendered report).
  static void print(const std::string &out, const std::string &err);

 private:
  const char *name_;
  std::vector<Outcome> outcomes_;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_TOOL_H
