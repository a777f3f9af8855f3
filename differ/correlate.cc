//===- correlate.cc - Pair PRE's symbols and sections with POST's ---------===//
#include "correlate.h"

#include "special_sections.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"

#include <map>
#include <set>

using namespace llvm;

namespace ksplice {

std::string normalizeName(StringRef name) {
  SmallVector<StringRef, 4> parts;
  name.split(parts, '.');
  parts[0] = withoutCounter(parts[0]);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    bool digits = !parts[i].empty() && all_of(parts[i], isDigit);
    if (i > 0 && digits)
      continue;
    if (i > 0)
      out += '.';
    out += parts[i].str();
  }
  return out;
}

std::string coldParentName(StringRef name) {
  size_t pos = name.find(".cold");
  if (pos == StringRef::npos || pos == 0)
    return "";
  StringRef rest = name.substr(pos + 5);
  if (!rest.empty() && !(rest[0] == '.' && all_of(rest.drop_front(), isDigit)))
    return "";
  return name.substr(0, pos).str();
}

bool isCorrelatable(const ObjectFile &obj, const Symbol &s) {
  return s.isDefined() && !s.name.empty() && !s.isSection() &&
         s.type != ELF::STT_FILE && !StringRef(s.name).startswith(".L");
}

bool isSpecialStaticIn(const ObjectFile &obj, const Symbol &s) {
  if (!s.isLocal() || s.isFunc())
    return false;
  if (isSpecialStatic(s.name))
    return true;
  const Section *sec = obj.sectionOf(s);
  return sec && isPerSiteDataSection(sec->name);
}

namespace {
using Key = std::pair<uint8_t, std::string>; // type, normalised name

// For each function (bundled section owner), the distinct symbols its code
// refers to, in relocation order: "which statics does F use, in what order".
std::map<uint32_t, std::vector<uint32_t>> usesOf(const ObjectFile &obj) {
  std::map<uint32_t, std::vector<uint32_t>> uses;
  for (const Section &sec : obj.sections()) {
    if (sec.bundled < 0)
      continue;
    std::vector<uint32_t> &list = uses[sec.bundled];
    std::set<uint32_t> seen;
    for (const Reloc &r : sec.relocs) {
      const Symbol &t = obj.symbol(r.sym);
      uint32_t target = t.index;
      if (!t.isDefined())
        continue;
      if (t.isSection() || StringRef(t.name).startswith(".L") ||
          t.name.empty()) {
        const Section &ts = obj.section(t.shndx);
        if (ts.bundled < 0)
          continue;
        target = ts.bundled;
      }
      if (seen.insert(target).second)
        list.push_back(target);
    }
  }
  return uses;
}
} // namespace

Correlation correlate(const ObjectFile &pre, const ObjectFile &post) {
  const ObjectFile *obj[2] = {&pre, &post};
  Correlation c;
  for (int k = 0; k < 2; ++k) {
    c.symTwin[k].assign(obj[k]->symbols().size(), -1);
    c.secTwin[k].assign(obj[k]->sections().size(), -1);
  }
  auto pair = [&](uint32_t a, uint32_t b) {
    if (c.symTwin[0][a] >= 0 || c.symTwin[1][b] >= 0)
      return; // each symbol has at most one twin
    c.symTwin[0][a] = b;
    c.symTwin[1][b] = a;
  };

  // Group candidates by (type, normalised name).
  std::map<Key, std::vector<uint32_t>> groups[2];
  for (int k = 0; k < 2; ++k)
    for (const Symbol &s : obj[k]->symbols())
      if (isCorrelatable(*obj[k], s) && !isSpecialStaticIn(*obj[k], s))
        groups[k][{s.type, normalizeName(s.name)}].push_back(s.index);

  // 1. Globals by exact name (the n-th of a name with the n-th, should a
  // broken object define one twice).
  std::map<std::string, std::vector<uint32_t>> postGlobals;
  for (const Symbol &s : post.symbols())
    if (isCorrelatable(post, s) && !s.isLocal())
      postGlobals[s.name].push_back(s.index);
  std::map<std::string, size_t> seen;
  for (const Symbol &s : pre.symbols()) {
    if (!isCorrelatable(pre, s) || s.isLocal())
      continue;
    auto it = postGlobals.find(s.name);
    size_t n = seen[s.name]++;
    if (it != postGlobals.end() && n < it->second.size() &&
        post.symbol(it->second[n]).type == s.type)
      pair(s.index, it->second[n]);
  }

  // 2. Unique normalised names (functions and objects alike); among
  // ambiguous groups, functions by exact name.
  for (auto &[key, preSyms] : groups[0]) {
    auto it = groups[1].find(key);
    if (it == groups[1].end())
      continue;
    std::vector<uint32_t> a, b;
    for (uint32_t i : preSyms)
      if (c.symTwin[0][i] < 0)
        a.push_back(i);
    for (uint32_t i : it->second)
      if (c.symTwin[1][i] < 0)
        b.push_back(i);
    if (a.size() == 1 && b.size() == 1) {
      pair(a[0], b[0]);
      continue;
    }
    if (key.first != ELF::STT_FUNC)
      continue;
    for (uint32_t i : a)
      for (uint32_t j : b)
        if (pre.symbol(i).name == post.symbol(j).name && c.symTwin[1][j] < 0)
          pair(i, j);
  }

  // 3. Ambiguous statics: pair through their users.  The k-th static
  // named `n.*` that function F uses pairs with the k-th one F's twin uses
  // (as kpatch does; numbering is not stable, use order is).
  auto preUses = usesOf(pre);
  auto postUses = usesOf(post);
  auto ambiguous = [&](const ObjectFile &o, const Symbol &s) {
    return isCorrelatable(o, s) && !isSpecialStaticIn(o, s) && !s.isFunc();
  };
  for (int round = 0; round < 3; ++round) {
    bool progress = false;
    for (const auto &[user, list] : preUses) {
      int32_t twin = c.symTwin[0][user];
      if (twin < 0)
        continue;
      std::map<Key, std::vector<uint32_t>> a, b;
      for (uint32_t i : list)
        if (ambiguous(pre, pre.symbol(i)))
          a[{pre.symbol(i).type, normalizeName(pre.symbol(i).name)}]
              .push_back(i);
      for (uint32_t j : postUses[twin])
        if (ambiguous(post, post.symbol(j)))
          b[{post.symbol(j).type, normalizeName(post.symbol(j).name)}]
              .push_back(j);
      for (auto &[key, pl] : a) {
        auto &ql = b[key];
        for (size_t k = 0; k < pl.size() && k < ql.size(); ++k)
          if (c.symTwin[0][pl[k]] < 0 && c.symTwin[1][ql[k]] < 0) {
            pair(pl[k], ql[k]);
            progress = true;
          }
      }
    }
    if (!progress)
      break;
  }
  // 4. Statics no function uses (tables of trace strings, ...): when both
  // sides have the same number left with one name, pair them in order.
  for (auto &[key, preSyms] : groups[0]) {
    std::vector<uint32_t> a, b;
    for (uint32_t i : preSyms)
      if (c.symTwin[0][i] < 0)
        a.push_back(i);
    for (uint32_t j : groups[1][key])
      if (c.symTwin[1][j] < 0)
        b.push_back(j);
    if (a.size() == b.size() && key.first != ELF::STT_FUNC)
      for (size_t k = 0; k < a.size(); ++k)
        pair(a[k], b[k]);
  }

  // Sections follow their bundled symbols; the rest pair by exact name
  // (the n-th pre section of a name with the n-th post one).
  std::map<std::string, std::vector<uint32_t>> unbundled;
  for (const Section &s : post.sections())
    if (s.index != 0 && s.bundled < 0)
      unbundled[s.name].push_back(s.index);
  std::map<std::string, size_t> used;
  for (const Section &s : pre.sections()) {
    if (s.index == 0)
      continue;
    int32_t twin = -1;
    if (s.bundled >= 0) {
      int32_t t = c.symTwin[0][s.bundled];
      if (t >= 0 && post.symbol(t).value == 0 &&
          post.section(post.symbol(t).shndx).bundled == t)
        twin = post.symbol(t).shndx;
    } else {
      auto it = unbundled.find(s.name);
      size_t n = used[s.name]++;
      if (it != unbundled.end() && n < it->second.size())
        twin = it->second[n];
    }
    if (twin >= 0 && c.secTwin[1][twin] < 0) {
      c.secTwin[0][s.index] = twin;
      c.secTwin[1][twin] = s.index;
    }
  }
  return c;
}

} // namespace ksplice
