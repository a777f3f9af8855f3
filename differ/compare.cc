//===- compare.cc - Relocation-aware section equality ---------------------===//
//
// What "equal" means.  Two sections are equal when
//  - type, flags and size match;
//  - every byte not covered by a relocation matches (for code, a __LINE__
//    immediate loaded into an argument register before a WARN/printk-style
//    call may differ: see lineOnly());
//  - they have relocations at the same offsets, of the same types, and each
//    pair refers to the same thing (sameTarget): the same external name, the
//    twin symbol, the same string, or a twin unnamed section with equal
//    contents, at the same offset;
//  - for code, their table entries (__ex_table, __bug_table, alternatives,
//    jump labels, ...) match the same way, except the __LINE__ field of
//    __bug_table.
// Targets are never compared by address or section index.  A callee whose
// body changed does not make its caller differ (the caller reaches the new
// body through the old entry point), but a read-only object whose contents
// changed does (setChangedObjects).
//
// What this file does not do: decide what to do about a difference.
//
//===----------------------------------------------------------------------===//
#include "compare.h"

#include "special_sections.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace llvm;

namespace ksplice {

Comparator::Comparator(const ObjectFile &pre, const ObjectFile &post,
                       const Correlation &corr, const TableIndex &preTables,
                       const TableIndex &postTables)
    : pre_(pre), post_(post), corr_(corr), preTables_(preTables),
      postTables_(postTables) {}

bool Comparator::sameTarget(const Target &x, const Target &y) {
  if (x.kind != y.kind)
    return false;
  // Table companions (.altinstr_replacement): the offset depends on other
  // entries; compareEntries() compares the bytes each entry uses.
  if (x.kind == Target::Section &&
      classifySection(x.sec->name, x.sec->type, x.sec->flags) ==
          SectionClass::Companion)
    return corr_.secTwin[0][x.sec->index] == (int32_t)y.sec->index;
  if (x.offset != y.offset)
    return false;
  switch (x.kind) {
  case Target::External:
  case Target::String:
    return x.name == y.name;
  case Target::Absolute:
    return true;
  case Target::Symbol: {
    if (changed_.count(x.sym->index))
      return false;
    if (corr_.postOf(*x.sym) == (int32_t)y.sym->index)
      return true;
    // Fresh per-site statics: equal when they are the same kind of thing,
    // and, for constants (CSWTCH switch tables, __func__), hold the same.
    if (!isSpecialStaticIn(pre_, *x.sym) || !isSpecialStaticIn(post_, *y.sym) ||
        normalizeName(x.sym->name) != normalizeName(y.sym->name) ||
        x.sym->size != y.sym->size)
      return false;
    const Section &sx = *pre_.sectionOf(*x.sym);
    if (sx.isWrite())
      return true;
    return compareSymbols(*x.sym, *y.sym).empty();
  }
  case Target::Section: {
    if (corr_.secTwin[0][x.sec->index] != (int32_t)y.sec->index)
      return false;
    // Unnamed sections (.rodata, .rodata.cst16, .altinstr_replacement):
    // equal only with equal contents.
    return compareSections(*x.sec, *y.sec, false).empty();
  }
  }
  return false;
}

// Whether the byte at POS (in both A and B) lies in the imm32 of a
// `mov $imm32, %esi/%edx/%ecx` followed, within 64 bytes, by a call to a
// function whose argument is conventionally __LINE__.
bool Comparator::lineOnly(const Section &a, const Section &b, uint64_t pos) {
  for (uint64_t q = pos >= 4 ? pos - 4 : 0; q < pos; ++q) {
    uint8_t op = a.data[q];
    if (op != b.data[q] || (op != 0xbe && op != 0xba && op != 0xb9))
      continue;
    if (q + 5 > a.data.size())
      continue;
    for (const Reloc &r : a.relocs) {
      if (r.offset <= q + 4 || r.offset > q + 64)
        continue;
      const Symbol &s = pre_.symbol(r.sym);
      if (s.shndx == 0 && isLineMacroCallee(s.name) && r.offset >= 1 &&
          a.data[r.offset - 1] == 0xe8)
        return true;
    }
  }
  return false;
}

std::string Comparator::compareRegion(
    const Section &a, uint64_t aOff, const Section &b, uint64_t bOff,
    uint64_t len, bool lineFilter,
    ArrayRef<std::pair<uint32_t, uint32_t>> ignored) {
  ArrayRef<Reloc> ra = relocsIn(a, aOff, len), rb = relocsIn(b, bOff, len);
  // Relocations first: they explain most differences best.
  size_t n = std::min(ra.size(), rb.size());
  for (size_t i = 0; i < n; ++i) {
    const Reloc &x = ra[i], &y = rb[i];
    uint64_t at = x.offset - aOff;
    if (at != y.offset - bOff)
      return formatv("+{0:x}: relocation at +{0:x} in pre but +{1:x} in "
                     "post",
                     at, y.offset - bOff)
          .str();
    if (x.type != y.type)
      return formatv("+{0:x}: relocation type {1} became {2}", at, x.type,
                     y.type)
          .str();
    Target tx = resolveTarget(pre_, a, x), ty = resolveTarget(post_, b, y);
    if (!sameTarget(tx, ty))
      return formatv("+{0:x}: relocation references {1} in pre but {2} in "
                     "post",
                     at, describe(tx), describe(ty))
          .str();
  }
  if (ra.size() != rb.size()) {
    const Reloc &extra = ra.size() > n ? ra[n] : rb[n];
    uint64_t at = extra.offset - (ra.size() > n ? aOff : bOff);
    return formatv("+{0:x}: relocation only in {1}", at,
                   ra.size() > n ? "pre" : "post")
        .str();
  }
  if (a.isNobits() || b.isNobits())
    return "";
  // Bytes outside relocation fields.
  size_t ri = 0;
  for (uint64_t i = 0; i < len; ++i) {
    while (ri < ra.size() && ra[ri].offset + relocWidth(ra[ri].type) <= aOff + i)
      ++ri;
    if (ri < ra.size() && ra[ri].offset <= aOff + i)
      continue;
    if (a.data[aOff + i] == b.data[bOff + i])
      continue;
    bool skip = false;
    for (auto [off, n] : ignored)
      skip |= i >= off && i < off + n;
    if (skip)
      continue;
    if (lineFilter && aOff == 0 && bOff == 0 && lineOnly(a, b, i))
      continue;
    return formatv("+{0:x}: byte {1:x2} became {2:x2}", i, a.data[aOff + i],
                   b.data[bOff + i])
        .str();
  }
  return "";
}

std::string Comparator::compareSections(const Section &a, const Section &b,
                                        bool lineFilter) {
  auto key = std::make_pair(a.index, b.index);
  if (!lineFilter) {
    auto it = sectionMemo_.find(key);
    if (it != sectionMemo_.end() && it->second)
      return "";
    // Assume equal while comparing, so reference cycles terminate.
    sectionMemo_[key] = true;
  }
  std::string why;
  if (a.type != b.type)
    why = "section type changed";
  else if ((a.flags ^ b.flags) & ~(uint64_t)ELF::SHF_INFO_LINK)
    why = "section flags changed";
  else if (a.size != b.size)
    why = formatv("size {0} became {1}", a.size, b.size).str();
  else
    why = compareRegion(a, 0, b, 0, a.size, lineFilter);
  if (!lineFilter)
    sectionMemo_[key] = why.empty();
  return why;
}

std::string Comparator::compareSymbols(const Symbol &a, const Symbol &b) {
  const Section &sa = *pre_.sectionOf(a), &sb = *post_.sectionOf(b);
  if (a.size != b.size)
    return formatv("size {0} became {1}", a.size, b.size).str();
  if (sa.isNobits() != sb.isNobits())
    return "section type changed";
  return compareRegion(sa, a.value, sb, b.value, a.size, false);
}

std::string Comparator::compareEntries(const Section &a, const Section &b) {
  const auto &ea = preTables_.entriesFor(a.index);
  const auto &eb = postTables_.entriesFor(b.index);
  size_t n = std::min(ea.size(), eb.size());
  for (size_t i = 0; i < n; ++i) {
    const TableEntry &x = ea[i], &y = eb[i];
    if (x.spec != y.spec || x.siteOffset != y.siteOffset) {
      return formatv("{0} entry for +{1:x} in pre but {2} entry for +{3:x} "
                     "in post",
                     x.spec->name, x.siteOffset, y.spec->name, y.siteOffset)
          .str();
    }
    std::vector<std::pair<uint32_t, uint32_t>> ignored;
    if (x.spec->ignoredOffset >= 0)
      ignored.push_back({(uint32_t)x.spec->ignoredOffset, x.spec->ignoredLen});
    std::string why = compareRegion(*x.table, x.offset, *y.table, y.offset,
                                    x.spec->entsize, false, ignored);
    // The replacement code is compared as bytes of its own.
    if (why.empty() && x.repl && y.repl) {
      why = compareRegion(*x.repl, x.replOffset, *y.repl, y.replOffset,
                          x.replLen, false);
      if (!why.empty())
        why = "replacement: " + why;
    }
    if (!why.empty())
      return formatv("{0} entry for +{1:x}: {2}", x.spec->name, x.siteOffset,
                     why)
          .str();
  }
  if (ea.size() != eb.size()) {
    const TableEntry &e = ea.size() > n ? ea[n] : eb[n];
    return formatv("{0} entry for +{1:x} only in {2}", e.spec->name,
                   e.siteOffset, ea.size() > n ? "pre" : "post")
        .str();
  }
  return "";
}

} // namespace ksplice
