#include "tool.h"

#include <cstdio>

#include <CLI/CLI.hpp>

namespace ksplice {

Tool::Tool(const char *name, std::vector<Outcome> outcomes)
    : name_(name), outcomes_(std::move(outcomes)) {}

int Tool::usageStatus() const {
  for (const Outcome &o : outcomes_)
    if (o.status == 2)
      return kExitError;
  return 2;
}

std::string Tool::exitStatusHelp() const {
  std::string text = "Exit status:";
  auto add = [&](int status, const std::string &meaning) {
    text += (text.back() == ':' ? " " : ", ") + std::to_string(status) + " " +
            meaning;
  };
  for (const Outcome &o : outcomes_)
    if (o.status == 0)
      add(0, o.meaning);
  add(kExitError, usageStatus() == kExitError ? "error (a usage error too)"
                                              : "error");
  if (usageStatus() != kExitError)
    add(usageStatus(), "usage error");
  for (const Outcome &o : outcomes_)
    if (o.status > kExitError)
      add(o.status, o.meaning);
  return text + ".";
}

std::optional<int> Tool::parse(CLI::App &app, int argc, char **argv) const {
  app.footer(exitStatusHelp());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // Never the parser's own codes (106 for a missing option once leaked
    // out, and 2 and 3 are verdicts of some tools).
    return app.exit(e) == 0 ? 0 : usageStatus();
  }
  return std::nullopt;
}

int Tool::error(const std::string &message) const {
  fprintf(stderr, "%s: error: %s\n", name_, message.c_str());
  return kExitError;
}

void Tool::warning(const std::string &message) const {
  fprintf(stderr, "%s: warning: %s\n", name_, message.c_str());
}

void Tool::say(const std::string &message) const {
  fprintf(stderr, "%s: %s\n", name_, message.c_str());
}

void Tool::print(const std::string &out, const std::string &err) {
  fputs(out.c_str(), stdout);
  fflush(stdout);
  fputs(err.c_str(), stderr);
}

}  // namespace ksplice
