#include "cli.h"

#include "causes.h"

namespace ksplice {

std::vector<std::string> abortReport(const std::string &tool,
                                     const std::string &id,
                                     const std::string &action,
                                     const std::string &token,
                                     const Conflicts &conflicts, bool raw) {
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
  for (const Conflict &c : conflicts.tasks)
    lines.push_back(tool + ": note: " + describeConflict(c));
  if (conflicts.truncated)
    lines.push_back(tool + ": note: (more tasks conflicted; the loader "
                           "listed only the first ones)");
  return lines;
}

}  // namespace ksplice
