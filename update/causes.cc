#include "causes.h"

#include <ksplice/errors.h>

namespace ksplice {
namespace {

struct Cause {
  const char *token;
  const char *sentence;
};

#define KSPLICE_CAUSE_ROW(token, sentence) {#token, sentence},
constexpr Cause kCauses[] = {KSPLICE_ABORT_CAUSES(KSPLICE_CAUSE_ROW)};
#undef KSPLICE_CAUSE_ROW
static_assert(sizeof(kCauses) / sizeof(kCauses[0]) == KSPLICE_NR_CAUSES,
              "errors.h and the cause table disagree");

}  // namespace

bool isKnownCause(std::string_view token) {
  for (const Cause &c : kCauses)
    if (token == c.token)
      return true;
  return false;
}

std::string causeSentence(std::string_view token) {
  for (const Cause &c : kCauses)
    if (token == c.token)
      return c.sentence;
  return "The loader reported the abort cause '" + std::string(token) +
         "', which these tools do not know; the loader is probably newer "
         "than ksplice-apply. Nothing is known about the kernel's state "
         "beyond what ksplice-view shows. The kernel log (prefix "
         "'ksplice:') has the details; install tools that match the loader.";
}

std::vector<std::string> knownCauses() {
  std::vector<std::string> out;
  for (const Cause &c : kCauses)
    out.push_back(c.token);
  return out;
}

}  // namespace ksplice
