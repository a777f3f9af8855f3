//===- compare.h - Relocation-aware section equality ----------------------===//
#ifndef KSPLICE_DIFFER_COMPARE_H
#define KSPLICE_DIFFER_COMPARE_H

#include "correlate.h"
#include "reloc_target.h"
#include "table_entries.h"

#include <map>
#include <set>
#include <string>

namespace ksplice {

class Comparator {
public:
  Comparator(const ObjectFile &pre, const ObjectFile &post,
             const Correlation &corr, const TableIndex &preTables,
             const TableIndex &postTables);

  /// Pre symbols whose contents changed (read-only objects): a reference to
  /// one is a difference.
  void setChangedObjects(const std::set<uint32_t> &pre) { changed_ = pre; }

  /// Compares a pre section with its twin.  Returns "" if they are
  /// equivalent, else why not ("+0x1c: ...").  For code, `lineFilter`
  /// forgives __LINE__ immediates passed to WARN/printk-like calls.
  std::string compareSections(const Section &a, const Section &b,
                              bool lineFilter);

  /// Compares two symbols that share their sections with others, by their
  /// byte ranges.
  std::string compareSymbols(const Symbol &a, const Symbol &b);

  /// Compares the table entries (exception table, alternatives, ...) of two
  /// code sections.
  std::string compareEntries(const Section &a, const Section &b);

  /// Whether pre target X and post target Y are the same thing.
  bool sameTarget(const Target &x, const Target &y);

private:
  std::string compareRegion(const Section &a, uint64_t aOff, const Section &b,
                            uint64_t bOff, uint64_t len, bool lineFilter,
                            llvm::ArrayRef<std::pair<uint32_t, uint32_t>>
                                ignored = {});
  bool lineOnly(const Section &a, const Section &b, uint64_t pos);

  const ObjectFile &pre_, &post_;
  const Correlation &corr_;
  const TableIndex &preTables_, &postTables_;
  std::set<uint32_t> changed_;
  std::map<std::pair<uint32_t, uint32_t>, bool> sectionMemo_;
};

} // namespace ksplice

#endif
