#include "update_id.h"

#include "sha256.h"

namespace ksplice {
namespace {

bool isLowerOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isIdChar(char c) {
  return isLowerOrDigit(c) || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

bool isValidUpdateId(std::string_view id) {
  if (id.empty() || id.size() > kMaxUpdateIdLength || id[0] == '.')
    return false;
  for (char c : id)
    if (!isIdChar(c))
      return false;
  return true;
}

Status checkUpdateId(std::string_view id) {
  if (isValidUpdateId(id))
    return okStatus();
  return Status::error("'" + std::string(id) +
                       "' is not an update id ([A-Za-z0-9_.-], at most " +
                       std::to_string(kMaxUpdateIdLength) +
                       "); 'ksplice-view' lists the ids");
}

bool isNewUpdateId(std::string_view id) {
  if (id.empty() || id.size() > kMaxNewUpdateIdLength ||
      !isLowerOrDigit(id[0]))
    return false;
  for (char c : id)
    if (!isLowerOrDigit(c) && c != '_' && c != '-')
      return false;
  return true;
}

Status checkNewUpdateId(std::string_view id) {
  if (isNewUpdateId(id))
    return okStatus();
  return Status::error("'" + std::string(id) +
                       "' cannot be an update id: use lower-case letters, "
                       "digits, '-' and '_', at most " +
                       std::to_string(kMaxNewUpdateIdLength) + " characters");
}

std::string defaultUpdateId(std::string_view patchText) {
  return defaultUpdateIdOfDigest(sha256Hex(patchText));
}

std::string defaultUpdateIdOfDigest(std::string_view sha256Hex) {
  return "p" + std::string(sha256Hex.substr(0, 8));
}

std::string patchModuleFile(std::string_view id) {
  return "ksplice-" + std::string(id) + ".ko";
}

std::string defaultPatchModuleName(std::string_view id) {
  std::string n = "ksplice_" + std::string(id);
  for (char &c : n)
    if (c == '-')
      c = '_';
  return n;
}

}  // namespace ksplice
