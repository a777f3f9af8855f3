// Abort-cause tokens (loader-kmod/include/ksplice/errors.h) to sentences.
#ifndef KSPLICE_UPDATE_CAUSES_H
#define KSPLICE_UPDATE_CAUSES_H

#include <string>
#include <string_view>
#include <vector>

namespace ksplice {

bool isKnownCause(std::string_view token);
// The sentence errors.h gives `token`, or a fallback that names the unknown
// token and says what to do.
std::string causeSentence(std::string_view token);
// Every token errors.h defines, in its order.
std::vector<std::string> knownCauses();

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_CAUSES_H
