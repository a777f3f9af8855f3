//===- table_entries.h - Split special sections into entries --------------===//
//
// Each entry of a table section (special_sections.h) names one code site.
// This index answers "which entries belong to this function" for the
// comparison, the patch's kept entries and the pre sites.
//
//===----------------------------------------------------------------------===//
#ifndef KSPLICE_DIFFER_TABLE_ENTRIES_H
#define KSPLICE_DIFFER_TABLE_ENTRIES_H

#include "object_file.h"
#include "special_sections.h"

#include <map>
#include <vector>

namespace ksplice {

struct TableEntry {
  const SpecialSection *spec = nullptr;
  const Section *table = nullptr;
  uint64_t offset = 0;          // of the entry in `table`
  uint32_t index = 0;           // entry number
  const Section *site = nullptr; // the code section named by the entry
  int64_t siteOffset = 0;
  uint16_t siteLen = 0;
  // The bytes of the site the kernel rewrites when a module loads: siteLen,
  // or the instruction's length for the one-instruction kinds; 0 for
  // tables whose sites are not rewritten (SpecialSection::rewritten).
  uint16_t rewrittenLen = 0;
  // The replacement code the kernel copies over the site
  // (SpecialSection::replOffset), or null.
  const Section *repl = nullptr;
  uint64_t replOffset = 0;
  uint16_t replLen = 0;
};

class TableIndex {
public:
  static llvm::Expected<TableIndex> build(const ObjectFile &obj);

  /// Entries whose site lies in section SEC, ordered by table (as in
  /// specialSections()), then site offset, then position in the table.
  const std::vector<TableEntry> &entriesFor(uint32_t sec) const;
  const std::vector<TableEntry> &all() const { return all_; }

private:
  std::vector<TableEntry> all_;
  std::map<uint32_t, std::vector<TableEntry>> bySection_;
  std::vector<TableEntry> none_;
};

/// Relocations of TABLE within [offset, offset + size).
llvm::ArrayRef<Reloc> relocsIn(const Section &table, uint64_t offset,
                               uint64_t size);

} // namespace ksplice

#endif
