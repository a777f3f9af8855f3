//===- correlate.h - Pair PRE's symbols and sections with POST's ----------===//
//
// Twins are found by name, with the compiler's numbering ignored
// (`foo.isra.3` ~ `foo.isra.7`, `count.12` ~ `count.13`).  Where several
// locals share a normalised name (function-scope statics of different
// functions), they are paired through the functions that use them.  Special
// statics (special_sections.h) are never paired.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_CORRELATE_H
#define KSPLICE_DIFFER_CORRELATE_H

#include "object_file.h"

#include <string>
#include <vector>

namespace ksplice {

/// NAME without its `.N` numeric components: "foo.isra.12" -> "foo.isra".
std::string normalizeName(llvm::StringRef name);

/// "foo" for "foo.cold" / "foo.cold.3", else "".
std::string coldParentName(llvm::StringRef name);

struct Correlation {
  std::vector<int32_t> symTwin[2]; // [0]: pre -> post, [1]: post -> pre
  std::vector<int32_t> secTwin[2];

  int32_t postOf(const Symbol &pre) const { return symTwin[0][pre.index]; }
  int32_t preOf(const Symbol &post) const { return symTwin[1][post.index]; }
};

/// Whether S takes part in correlation (a named, defined function/object).
bool isCorrelatable(const ObjectFile &obj, const Symbol &s);
/// Special static, by name or by living in a once-section.
bool isSpecialStaticIn(const ObjectFile &obj, const Symbol &s);

Correlation correlate(const ObjectFile &pre, const ObjectFile &post);

} // namespace ksplice

#endif
