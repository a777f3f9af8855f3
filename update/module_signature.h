// The kernel's module signatures, as ksplice-apply sees them before it
// loads anything: does this kernel refuse unsigned modules, and are the
// update's modules signed?  (ksplice-create --module-key signs them with the
// kernel's scripts/sign-file.)  Whether a signature's key is enrolled on
// the host only the kernel knows: a module it refuses anyway fails to load
// (EKEYREJECTED, EPERM under lockdown), with loadModule()'s message.
#ifndef KSPLICE_UPDATE_MODULE_SIGNATURE_H
#define KSPLICE_UPDATE_MODULE_SIGNATURE_H

#include <string>
#include <string_view>

namespace ksplice {

// Why the kernel loads only signed modules, or "" when it loads any:
// `sigEnforce` is /sys/module/module/parameters/sig_enforce ("Y"),
// `lockdown` /sys/kernel/security/lockdown ("none [integrity]
// confidentiality"); either may be empty (not readable).
std::string moduleSignatureEnforcement(std::string_view sigEnforce,
                                       std::string_view lockdown);

// Whether the module file's bytes end with the kernel's signature marker.
bool hasModuleSignature(std::string_view ko);

// What to say about an unsigned module `file` on a kernel that refuses
// them for reason `why` (from moduleSignatureEnforcement()).
std::string unsignedModuleMessage(const std::string &why,
                                  const std::string &file);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_MODULE_SIGNATURE_H
