//===- table_entries.cc ---------------------------------------------------===//
#include "table_entries.h"

#include "reloc_target.h"
#include "x86_64.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace llvm;

namespace ksplice {

ArrayRef<Reloc> relocsIn(const Section &table, uint64_t offset,
                         uint64_t size) {
  auto lo = std::lower_bound(
      table.relocs.begin(), table.relocs.end(), offset,
      [](const Reloc &r, uint64_t off) { return r.offset < off; });
  auto hi = std::lower_bound(
      lo, table.relocs.end(), offset + size,
      [](const Reloc &r, uint64_t off) { return r.offset < off; });
  return ArrayRef<Reloc>(&*table.relocs.begin() + (lo - table.relocs.begin()),
                         hi - lo);
}

// The replacement bytes entry E names (alternatives), checked to lie in
// their section.
static Error findReplacement(const ObjectFile &obj, TableEntry &e) {
  const SpecialSection &spec = *e.spec;
  if (spec.replOffset < 0)
    return Error::success();
  e.replLen = e.table->data[e.offset + spec.replLenField];
  for (const Reloc &r : relocsIn(*e.table, e.offset + spec.replOffset, 4)) {
    Target t = resolveTarget(obj, *e.table, r);
    if (t.kind != Target::Section)
      continue;
    if (t.offset < 0 || t.offset + e.replLen > (int64_t)t.sec->size)
      return createStringError(
          inconvertibleErrorCode(),
          formatv("{0}: entry {1} of '{2}' names {3} replacement bytes at "
                  "{4:x} outside '{5}'",
                  obj.name(), e.index, e.table->name, e.replLen, t.offset,
                  t.sec->name));
    e.repl = t.sec;
    e.replOffset = t.offset;
  }
  return Error::success();
}

Expected<TableIndex> TableIndex::build(const ObjectFile &obj) {
  TableIndex idx;
  for (const Section &sec : obj.sections()) {
    const SpecialSection *spec = findSpecialSection(sec.name);
    if (!spec)
      continue;
    if (sec.isNobits())
      return createStringError(
          inconvertibleErrorCode(),
          formatv("{0}: table section '{1}' has no contents (SHT_NOBITS)",
                  obj.name(), sec.name));
    if (sec.size % spec->entsize)
      return createStringError(
          inconvertibleErrorCode(),
          formatv("{0}: section '{1}' size {2} is not a multiple of its "
                  "entry size {3} (built for another kernel?)",
                  obj.name(), sec.name, sec.size, spec->entsize));
    if (spec->companion) {
      const Section *comp = obj.findSection(spec->companion);
      if (!comp || comp->isNobits() ||
          comp->size != sec.size / spec->entsize * spec->companionEntsize)
        return createStringError(
            inconvertibleErrorCode(),
            formatv("{0}: '{1}' does not match '{2}' entry for entry",
                    obj.name(), spec->companion, sec.name));
    }
    for (uint64_t off = 0; off < sec.size; off += spec->entsize) {
      TableEntry e;
      e.spec = spec;
      e.table = &sec;
      e.offset = off;
      e.index = off / spec->entsize;
      e.siteLen = spec->siteLen;
      if (spec->siteLenField >= 0)
        e.siteLen = sec.data[off + spec->siteLenField];
      for (const Reloc &r : relocsIn(sec, off + spec->siteOffset, 1)) {
        Target t = resolveTarget(obj, sec, r);
        // `.long 1b - .`: S + A - P with P the field, so the site is S + A.
        if (t.kind == Target::Symbol) {
          e.site = obj.sectionOf(*t.sym);
          e.siteOffset = t.sym->value + t.offset;
        } else if (t.kind == Target::Section) {
          e.site = t.sec;
          e.siteOffset = t.offset;
        }
      }
      if (e.site && spec->rewritten && e.siteOffset >= 0 &&
          e.siteOffset < (int64_t)e.site->data.size())
        e.rewrittenLen =
            e.siteLen ? e.siteLen
                      : branchLength(e.site->data.drop_front(e.siteOffset));
      if (auto err = findReplacement(obj, e))
        return std::move(err);
      if (e.site)
        idx.bySection_[e.site->index].push_back(e);
      idx.all_.push_back(e);
    }
  }
  // The order of table sections in a file follows first use, which a patch
  // elsewhere in the file can change: order a function's entries by table
  // row, then site.
  for (auto &[sec, list] : idx.bySection_)
    std::stable_sort(list.begin(), list.end(),
                     [](const TableEntry &a, const TableEntry &b) {
                       return std::make_pair(a.spec, a.siteOffset) <
                              std::make_pair(b.spec, b.siteOffset);
                     });
  return idx;
}

const std::vector<TableEntry> &TableIndex::entriesFor(uint32_t sec) const {
  auto it = bySection_.find(sec);
  return it == bySection_.end() ? none_ : it->second;
}

} // namespace ksplice
