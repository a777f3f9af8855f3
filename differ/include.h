//===- include.h - What the patch carries ---------------------------------===//
#ifndef KSPLICE_DIFFER_INCLUDE_H
#define KSPLICE_DIFFER_INCLUDE_H

#include "diff.h"

namespace ksplice {

/// Fills Diff::includedPost and Diff::keptEntries starting from the changed
/// pre functions CHANGED and the new symbols, and refuses references the
/// patch cannot express.
void includeClosure(Diff &d, const std::set<uint32_t> &changed);

/// Fills Diff::preSections: every function of the unit and the read-only
/// data it references, for run-pre matching.
void collectPreSections(Diff &d);


} // namespace ksplice

#endif
