//===- symvers.h - The target kernel's export list (Module.symvers) -------===//
#ifndef KSPLICE_DIFFER_SYMVERS_H
#define KSPLICE_DIFFER_SYMVERS_H

#include "llvm/Support/Error.h"

#include <map>
#include <set>
#include <string>

namespace ksplice {

/// Symbols the target kernel exports.  With no list loaded every global is
/// assumed exported (only the object's own statics get late relocations).
struct Exports {
  bool known = false;
  std::set<std::string> names;
  // The symbol namespace of each export that has one
  // (EXPORT_SYMBOL_NS): a module using it must import it.
  std::map<std::string, std::string> namespaces;
  // The exports of modules (Module.symvers' third field is not
  // "vmlinux"): linking to one makes the patch module depend on that
  // module, which must then be loaded first and cannot be unloaded.
  std::set<std::string> ofModules;

  bool isExported(const std::string &name) const {
    return !known || names.count(name);
  }
  /// Whether NAME is exported by a module rather than by vmlinux.
  bool isModuleExport(const std::string &name) const {
    return ofModules.count(name);
  }
  /// NAME's namespace, or "".
  std::string namespaceOf(const std::string &name) const {
    auto it = namespaces.find(name);
    return it == namespaces.end() ? "" : it->second;
  }
};

/// Reads `crc\tsymbol\tmodule\texport_type[\tnamespace]` lines.
llvm::Expected<Exports> readSymvers(llvm::StringRef path);
/// Same, from memory (tests).
llvm::Expected<Exports> parseSymvers(llvm::StringRef text,
                                     llvm::StringRef name);

} // namespace ksplice

#endif
