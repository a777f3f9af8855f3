//===- include.cc - What the patch carries, and how it refers out ---------===//
//
// The patch carries: replaced functions (with their .cold parts), new
// functions and objects, fresh copies of special statics, changed local
// read-only objects, and every unnamed read-only section or string they
// use; plus the table entries of all carried code.  Everything else that
// carried code refers to is the running kernel's: exported symbols through
// ordinary relocations, the rest through late relocations.
//
//===----------------------------------------------------------------------===//
#include "include.h"

#include "reloc_target.h"
#include "special_sections.h"
#include "x86_64.h"
#include "ksplice/abi.h"
#include "llvm/Support/FormatVariadic.h"

#include <deque>

using namespace llvm;

namespace ksplice {

// What SEC is in any unit: enough to tell tables, exports and companions
// (Diff::classOf() knows what differs between vmlinux and modules).
static SectionClass kindOf(const Section &s) {
  return classifySection(s.name, s.type, s.flags);
}

bool Diff::isLive(const Section &sec, const Reloc &r) const {
  if (!isReplacementSection(sec.name))
    return true;
  for (auto [begin, end] : liveReplacement)
    if (r.offset >= begin && r.offset < end)
      return true;
  return false;
}

// Whether the kernel reads SEC when the patch module loads: table entries
// (sorted, registered, applied to the module's code), the replacement code
// they copy, and export entries (which modules loaded later link to).  An unexported symbol referenced there must be resolved
// by the module loader itself (Reference::LoadTime).
static bool readAtLoad(const Section &sec) {
  return isReadAtLoad(sec.name, kindOf(sec));
}

// Whether relocation R of code section SEC lies in a site the kernel
// rewrites when the module loads: a static call site's call (retargeted by
// static_call_add_module()), an alternative's original instruction, ...
// The field must hold its value by then, and a late relocation's canary
// would be overwritten.
static bool rewrites(const TableEntry &e, const Reloc &r) {
  return e.rewrittenLen && (int64_t)r.offset >= e.siteOffset &&
         (int64_t)r.offset < e.siteOffset + e.rewrittenLen;
}

static bool inRewrittenSite(const TableIndex &tables, const Section &sec,
                            const Reloc &r) {
  for (const TableEntry &e : tables.entriesFor(sec.index))
    if (rewrites(e, r))
      return true;
  return false;
}

// Whether the kernel reads load-time reference R of SEC only in a
// MODULE_STATE_COMING callback or later, and leaves it in place until then
// (SpecialSection::readWhenComing): a key of a kept table entry, or a
// field in a site such a callback rewrites.  Replacement code, exports and
// the tables module_finalize() reads are used earlier.
static bool readWhenComing(const TableIndex &tables, const Section &sec,
                           const Reloc &r) {
  if (kindOf(sec) == SectionClass::Table) {
    const SpecialSection *spec = findSpecialSection(sec.name);
    return spec && spec->readWhenComing;
  }
  if (readAtLoad(sec))
    return false;
  bool site = false;
  for (const TableEntry &e : tables.entriesFor(sec.index)) {
    if (!rewrites(e, r))
      continue;
    if (!e.spec->readWhenComing)
      return false;
    site = true;
  }
  return site;
}

// How new code refers to global NAME of the running kernel.  An export of
// vmlinux is an ordinary relocation, which the module loader resolves as
// for any module.  Anything else is late, the exports of modules included:
// linking to one would make the patch module depend on that module, so it
// could be neither loaded before the module nor unloaded after it; the
// core resolves it once the module is there.
static Reference::Kind globalKind(const Exports &ex, const std::string &name) {
  return ex.isExported(name) && !ex.isModuleExport(name) ? Reference::Exported
                                                         : Reference::Late;
}

Reference Diff::reference(const Section &from, const Reloc &r) const {
  Reference ref = resolveReference(from, r);
  if (ref.kind != Reference::Late ||
      !(readAtLoad(from) || inRewrittenSite(postTables, from, r)))
    return ref;
  // Read when the patch module loads, before the core's apply.  A module's
  // export is linked then, as kbuild links any module to it: the patch
  // module depends on that module.  A symbol of vmlinux the module loader
  // resolves from kallsyms (a livepatch relocation); one of the unit's
  // module (a module links only to exports: the rest is its own) the
  // core's COMING callback writes, if the kernel reads it no earlier.
  if (!ref.local && exports.isModuleExport(ref.name))
    ref.kind = Reference::Exported;
  else if (target != "vmlinux" && readWhenComing(postTables, from, r))
    ref.kind = Reference::AtComing;
  else
    ref.kind = Reference::LoadTime;
  return ref;
}

Reference Diff::resolveReference(const Section &from, const Reloc &r) const {
  const Symbol &s = post->symbol(r.sym);
  Reference ref;
  ref.addend = r.addend;
  if (s.shndx == Symbol::kAbs)
    return ref;
  if (s.shndx == 0) {
    ref.kind = globalKind(exports, s.name);
    ref.name = s.name;
    ref.type = s.type;
    return ref;
  }
  const Section &sec = post->section(s.shndx);
  if (includedPost.count(sec.index)) {
    ref.kind = Reference::Internal;
    ref.sym = &s;
    return ref;
  }
  // Something of the running kernel: name it as PRE does.
  const Symbol *named = &s;
  if (isAnonymous(s)) {
    int64_t off = s.value + r.addend + pcrelBias(from, r);
    named = sec.bundled >= 0 ? &post->symbol(sec.bundled)
                             : post->symbolAt(sec, off);
    if (!named)
      return ref;
    ref.addend = (int64_t)s.value + r.addend - (int64_t)named->value;
  }
  int32_t twin = corr.preOf(*named);
  if (twin < 0)
    return ref;
  const Symbol &p = pre->symbol(twin);
  ref.name = p.name;
  ref.type = p.type;
  ref.local = p.isLocal();
  ref.kind = p.isLocal() ? Reference::Late : globalKind(exports, p.name);
  return ref;
}

namespace {
struct Closure {
  Diff &d;
  const ObjectFile &post;
  std::deque<uint32_t> work;

  explicit Closure(Diff &d) : d(d), post(*d.post) {}

  void include(const Section &sec) {
    if (d.includedPost.insert(sec.index).second)
      work.push_back(sec.index);
  }

  void includeFunction(const Symbol &f) {
    include(*post.sectionOf(f));
    // Its .cold part is reached by jumps from the body, not through a
    // function entry: it must travel with the new body.
    for (const Symbol &c : post.symbols())
      if (c.isFunc() && c.isDefined() && coldParentName(c.name) == f.name)
        include(*post.sectionOf(c));
  }

  // Whether a reference to post symbol S (through section SEC) needs S's
  // section in the patch.
  bool needs(const Symbol &s, const Section &sec, int64_t off) {
    SectionClass cls = d.classOf(sec);
    if (cls == SectionClass::Companion)
      return true;
    const Symbol *named = &s;
    if (isAnonymous(s)) {
      if (sec.bundled >= 0)
        named = &post.symbol(sec.bundled);
      else if (sec.isStrings() || cls == SectionClass::ReadOnly)
        return true; // unnamed constants: copy them
      else
        named = post.symbolAt(sec, off);
      if (!named)
        return false; // Diff::reference() reports it
    }
    if (isSpecialStaticIn(post, *named))
      return true;
    int32_t twin = d.corr.preOf(*named);
    if (twin < 0)
      return true; // new
    if (named->isFunc() && !coldParentName(named->name).empty())
      return false; // included with its parent if that is replaced
    return d.changedObjects.count(twin) > 0;
  }

  void scan(const Section &sec) {
    for (const Reloc &r : sec.relocs) {
      if (!d.isLive(sec, r))
        continue;
      const Symbol &s = post.symbol(r.sym);
      if (!s.isDefined())
        continue;
      const Section &ts = post.section(s.shndx);
      if (d.includedPost.count(ts.index))
        continue;
      int64_t off = (int64_t)s.value + r.addend +
                    pcrelBias(sec, r);
      if (needs(s, ts, off)) {
        if (ts.bundled >= 0 && post.symbol(ts.bundled).isFunc())
          includeFunction(post.symbol(ts.bundled));
        else
          include(ts);
      }
    }
  }

  // Marks the replacement bytes of kept entry E live, and scans them if
  // the replacement section is already carried.
  void keepReplacement(const TableEntry &e) {
    if (!e.repl)
      return;
    uint64_t begin = e.replOffset, end = begin + e.replLen;
    d.liveReplacement.push_back({begin, end});
    if (!d.includedPost.count(e.repl->index))
      return;
    Section part = *e.repl;
    part.relocs.clear();
    for (const Reloc &x : relocsIn(*e.repl, begin, end - begin))
      part.relocs.push_back(x);
    part.name = ""; // every relocation here is live
    scan(part);
  }

  void run(const std::set<uint32_t> &changed) {
    for (uint32_t i : changed)
      includeFunction(post.symbol(d.corr.symTwin[0][i]));
    for (const Symbol &s : post.symbols()) {
      if (!isCorrelatable(post, s) || d.corr.preOf(s) >= 0 ||
          isSpecialStaticIn(post, s) || post.isAlias(s))
        continue;
      const Section &sec = *post.sectionOf(s);
      SectionClass cls = d.classOf(sec);
      bool code = s.isFunc() && cls == SectionClass::Text &&
                  coldParentName(s.name).empty();
      bool data = s.isObject() && (cls == SectionClass::Data ||
                                   cls == SectionClass::ReadOnly);
      if (!code && !data)
        continue;
      if (sec.bundled != (int)s.index && d.corr.secTwin[1][sec.index] >= 0) {
        d.refusals.push_back(
            {s.name, post.where(sec, s.value),
             "new object in a section shared with existing data"});
        continue;
      }
      if (code)
        includeFunction(s);
      else
        include(sec);
    }
    // New exports: the patch module exports them.
    for (uint32_t i : d.exportSections)
      include(post.section(i));
    // A module's changed data: what its new value points to.
    for (const Diff::DataImage &im : d.dataImages)
      scan(post.section(im.postSec));
    // Fixpoint over relocations and the table entries of carried code.
    std::set<std::pair<uint32_t, uint64_t>> kept;
    for (;;) {
      while (!work.empty()) {
        uint32_t i = work.front();
        work.pop_front();
        scan(post.section(i));
      }
      bool more = false;
      for (const TableEntry &e : d.postTables.all()) {
        if (!e.site || !d.includedPost.count(e.site->index) ||
            !kept.insert({e.table->index, e.offset}).second)
          continue;
        more = true;
        d.keptEntries.push_back(e);
        keepReplacement(e);
        Section part = *e.table; // the entry's relocations only
        part.relocs.assign(relocsIn(*e.table, e.offset, e.spec->entsize).begin(),
                           relocsIn(*e.table, e.offset, e.spec->entsize).end());
        scan(part);
      }
      if (!more && work.empty())
        break;
    }
    std::stable_sort(d.keptEntries.begin(), d.keptEntries.end(),
                     [](const TableEntry &a, const TableEntry &b) {
                       return std::make_pair(a.table->index, a.offset) <
                              std::make_pair(b.table->index, b.offset);
                     });
  }

  void refuse(const Section &sec, const Reloc &r, const Symbol *owner,
              std::string reason) {
    d.refusals.push_back(
        {owner ? owner->name : "", post.where(sec, r.offset), reason});
  }

  // Every relocation of carried code and kept entries must be expressible.
  void checkReferences() {
    std::set<std::string> loadTime;
    auto check = [&](const Section &sec, ArrayRef<Reloc> relocs,
                     const TableEntry *entry) {
      const Symbol *owner =
          sec.bundled >= 0 ? &post.symbol(sec.bundled) : nullptr;
      for (const Reloc &r : relocs) {
        if (!d.isLive(sec, r))
          continue;
        Reference ref = d.reference(sec, r);
        const Symbol &s = post.symbol(r.sym);
        if (ref.kind == Reference::Invalid) {
          refuse(sec, r, owner,
                 formatv("relocation references '{0}', which has no match "
                         "in {1} and is not carried in the patch",
                         s.name, d.pre->name()));
          continue;
        }
        if (ref.kind != Reference::LoadTime)
          continue;
        // A module's code links only to exported symbols of vmlinux and
        // other modules: one that is not exported, static or not, is the
        // target module's own.
        if (d.target == "vmlinux")
          loadTime.insert(ref.name);
        else
          refuse(sec, r, owner,
                 formatv("'{0}' refers to '{1}', {2} of module '{3}': "
                         "the kernel reads it while it relocates the patch "
                         "module, before any callback, and can then resolve "
                         "only symbols of vmlinux",
                         sec.name, ref.name,
                         ref.local ? "a static" : "an unexported symbol",
                         d.target));
      }
    };
    for (uint32_t i : d.includedPost)
      check(post.section(i), post.section(i).relocs, nullptr);
    for (const Diff::DataImage &im : d.dataImages)
      check(post.section(im.postSec), post.section(im.postSec).relocs,
            nullptr);
    for (const TableEntry &e : d.keptEntries)
      check(*e.table, relocsIn(*e.table, e.offset, e.spec->entsize), &e);
    d.loadTimeSymbols.assign(loadTime.begin(), loadTime.end());
  }

  // A section the table does not describe may hold addresses of code the
  // patch replaces: dropping it silently could be wrong, so refuse.
  void checkUnknown() {
    for (const Section &sec : post.sections()) {
      if (d.classOf(sec) != SectionClass::Unknown)
        continue;
      for (const Reloc &r : sec.relocs) {
        const Symbol &s = post.symbol(r.sym);
        if (!s.isDefined() || !d.includedPost.count(s.shndx))
          continue;
        const Section &ts = post.section(s.shndx);
        if (d.classOf(ts) != SectionClass::Text)
          continue;
        const Symbol *f =
            ts.bundled >= 0 ? &post.symbol(ts.bundled) : &s;
        refuse(sec, r, f,
               formatv("section '{0}' of unknown kind refers to changed "
                       "function '{1}'",
                       sec.name, f->name));
        break;
      }
    }
  }
};
} // namespace

void includeClosure(Diff &d, const std::set<uint32_t> &changed) {
  Closure c(d);
  c.run(changed);
  c.checkReferences();
  c.checkUnknown();
}

void collectPreSections(Diff &d) {
  const ObjectFile &pre = *d.pre;
  std::set<uint32_t> out;
  std::set<uint32_t> replaced(d.replaced.begin(), d.replaced.end());
  for (const Section &sec : pre.sections()) {
    if (d.classOf(sec) != SectionClass::Text || sec.bundled < 0)
      continue;
    // A module's init text is gone once the module is live: matched only
    // where the update needs it (and then the module must still load).
    if (d.isInitOnly(sec) && !replaced.count(sec.bundled))
      continue;
    out.insert(sec.index);
    for (const Reloc &r : sec.relocs) {
      const Symbol &s = pre.symbol(r.sym);
      if (!s.isDefined())
        continue;
      const Section &ts = pre.section(s.shndx);
      if (d.classOf(ts) == SectionClass::ReadOnly && !ts.isNobits())
        out.insert(ts.index);
    }
  }
  d.preSections.assign(out.begin(), out.end());
}

} // namespace ksplice
