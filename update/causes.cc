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

// Decided by the tools, never by the loader.
constexpr Cause kToolCauses[] = {
    {kMissingPrerequisiteToken,
     "The package was built on top of (ksplice-create --after) a patch "
     "whose update is not applied on this host; ksplice-apply found it "
     "before loading anything. Nothing was changed. Apply the update built "
     "from that patch first."},
    {kUnsignedPackageToken,
     "The package is not signed, and this host has trusted keys "
     "(/etc/ksplice/keys or --keys), so it loads only signed updates. "
     "Nothing was loaded. Sign the update with ksplice-create --sign KEY, "
     "or pass --allow-unsigned to load it anyway."},
    {kUntrustedPackageToken,
     "The package is signed by a key that is not among this host's trusted "
     "keys. Nothing was loaded. Install the signer's public key in "
     "/etc/ksplice/keys if you trust it, or pass --allow-unsigned."},
    {kBadSignatureToken,
     "The package's signature does not verify: the manifest or the "
     "signature was changed after signing. Nothing was loaded. Do not load "
     "this package; get the update again from its source."},
    {kUnsignedModuleToken,
     "This kernel loads only signed modules (module.sig_enforce or "
     "lockdown), and the update's modules are not signed. Nothing was "
     "loaded. Rebuild the update with ksplice-create --module-key KEY "
     "--module-cert CERT, with a key enrolled on this host."},
};

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

std::string toolCauseSentence(std::string_view token) {
  for (const Cause &c : kToolCauses)
    if (token == c.token)
      return c.sentence;
  return "";
}

std::string causeTable() {
  std::string out = "| token | meaning and what to do |\n"
                    "|-------|------------------------|\n";
  for (const Cause &c : kCauses)
    out += "| `" + std::string(c.token) + "` | " + c.sentence + " |\n";
  for (const Cause &c : kToolCauses)
    out += "| `" + std::string(c.token) + "` | " + c.sentence + " |\n";
  return out;
}

bool waitsForModule(std::string_view token, bool waitingBefore) {
  return token == kTargetNotLoadedToken ||
         (token == kMissingPrerequisiteToken && waitingBefore);
}

// Both of the loader's details (loadrelocs.c, targets.c) end
// "load 'MODULE' first".
std::string moduleToLoad(const std::vector<std::string> &detail) {
  static const std::string head = "load '", tail = "' first";
  for (const std::string &line : detail) {
    size_t end = line.rfind(tail);
    size_t begin = end == std::string::npos ? end : line.rfind(head, end);
    if (begin != std::string::npos)
      return line.substr(begin + head.size(), end - begin - head.size());
  }
  return "";
}

}  // namespace ksplice
