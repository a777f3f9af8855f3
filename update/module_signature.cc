#include "module_signature.h"

namespace ksplice {
namespace {

// include/linux/module_signature.h's MODULE_SIG_STRING.
constexpr std::string_view kSigMarker = "~Module signature appended~\n";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string moduleSignatureEnforcement(std::string_view sigEnforce,
                                       std::string_view lockdown) {
  if (trim(sigEnforce) == "Y")
    return "module.sig_enforce is set";
  // The mode in brackets is the current one; from "integrity" on, the
  // kernel refuses modules without a valid signature.
  for (std::string_view mode : {"integrity", "confidentiality"})
    if (lockdown.find("[" + std::string(mode) + "]") != std::string_view::npos)
      return "the kernel is locked down (" + std::string(mode) + ")";
  return "";
}

bool hasModuleSignature(std::string_view ko) {
  return ko.size() >= kSigMarker.size() &&
         ko.substr(ko.size() - kSigMarker.size()) == kSigMarker;
}

std::string unsignedModuleMessage(const std::string &why,
                                  const std::string &file) {
  return "'" + file + "' cannot be loaded: " + why + ", and it is not signed" +
         "; rebuild the update with 'ksplice-create --module-key KEY "
         "--module-cert CERT' using a key enrolled on this host (the "
         "kernel's keyring or MOK)";
}

}  // namespace ksplice
