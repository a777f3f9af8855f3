//===- kconfig.cc - The target's configuration, as kbuild sees it ---------===//
#include "kconfig.h"

#include <set>
#include <sstream>

namespace ksplice {

Kconfig parseKconfig(const std::string &text) {
  Kconfig config;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (line.rfind("CONFIG_", 0) != 0 || eq == std::string::npos)
      continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      std::string s;
      for (size_t i = 1; i + 1 < value.size(); i++) {
        if (value[i] == '\\' && i + 2 < value.size())
          i++;
        s += value[i];
      }
      value = s;
    }
    config[line.substr(0, eq)] = value;
  }
  return config;
}

std::vector<std::string> configDifferences(const Kconfig &target,
                                           const Kconfig &farm) {
  // Set by BuildTree::prepare, or defaults Debian's shipped config omits.
  static const std::set<std::string> onPurpose = {
      "CONFIG_SYSTEM_TRUSTED_KEYS", "CONFIG_SYSTEM_REVOCATION_KEYS",
      "CONFIG_MODULE_SIG_ALL", "CONFIG_MODULE_SIG_KEY", "CONFIG_BUILD_SALT"};
  auto show = [](const Kconfig &c, const std::string &k) {
    auto it = c.find(k);
    return it == c.end() ? std::string("unset") : "'" + it->second + "'";
  };
  std::set<std::string> keys;
  for (auto &[k, v] : target)
    keys.insert(k);
  for (auto &[k, v] : farm)
    keys.insert(k);
  std::vector<std::string> out;
  for (const std::string &k : keys) {
    if (onPurpose.count(k))
      continue;
    auto t = target.find(k), f = farm.find(k);
    if (t != target.end() && f != farm.end() && t->second == f->second)
      continue;
    out.push_back(k + ": " + show(target, k) +
                  " in the target's configuration, " + show(farm, k) +
                  " here");
  }
  return out;
}

std::string kconfigCompiler(const Kconfig &target) {
  auto it = target.find("CONFIG_CC_VERSION_TEXT");
  if (it == target.end())
    return "";
  std::string text = it->second;
  return text.substr(0, text.find(' '));
}

} // namespace ksplice
