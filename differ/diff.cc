//===- diff.cc - The differ's passes --------------------------------------===//
//
// diffObjects() reads as the list of passes.  After correlation PRE and
// POST are read-only; every pass only adds verdicts to `Diff`.
//
//===----------------------------------------------------------------------===//
#include "diff.h"

#include "include.h"
#include "reloc_target.h"
#include "special_sections.h"
#include "ksplice/abi.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace llvm;

namespace ksplice {

const char *toString(Verdict v) {
  switch (v) {
  case Verdict::Changed:
    return "changed";
  case Verdict::NoChange:
    return "no-change";
  case Verdict::Unpatchable:
    return "unpatchable";
  }
  return "?";
}

uint32_t Diff::jumpOffset(const Symbol &fn) const {
  const Section *sec = pre->sectionOf(fn);
  if (!sec || fn.value != 0)
    return 0;
  for (const Reloc &r : sec->relocs) {
    if (r.offset != 1)
      continue;
    const Symbol &t = pre->symbol(r.sym);
    if (isFentry(t.name) && sec->data.size() >= 5 && sec->data[0] == 0xe8)
      return KSPLICE_JUMP_SIZE;
  }
  for (const TableEntry &e : preTables.entriesFor(sec->index))
    if (e.spec->siteKind == KSPLICE_SITE_FTRACE && e.siteOffset == 0)
      return KSPLICE_JUMP_SIZE;
  return 0;
}

SectionClass Diff::classOf(const Section &s) const {
  return classifyInUnit(s.name, s.type, s.flags, target == "vmlinux");
}

bool Diff::isInitOnly(const Section &s) const {
  return isModuleInitOnly(s.name, target == "vmlinux");
}

namespace {
struct Passes {
  Diff &d;
  const ObjectFile &pre, &post;
  Comparator cmp;
  std::set<uint32_t> changed; // pre FUNC symbols whose code changed

  Passes(Diff &d)
      : d(d), pre(*d.pre), post(*d.post),
        cmp(pre, post, d.corr, d.preTables, d.postTables) {}

  SectionClass classOf(const Section &s) const { return d.classOf(s); }

  void refuse(const Symbol *s, const ObjectFile &obj, const Section &sec,
              uint64_t off, std::string reason) {
    d.refusals.push_back({s ? s->name : "", obj.where(sec, off), reason});
  }

  // A change to __init code or data: refused, unless the patch declared
  // with ksplice_init_changed() that it needs nothing at run time.
  void refuseInit(const Symbol *s, const ObjectFile &obj, const Section &sec,
                  uint64_t off, const std::string &reason) {
    if (s && d.initChanged.count(s->name)) {
      d.ignoredInit.push_back(s->name);
      return;
    }
    refuse(s, obj, sec, off,
           reason + "; if the running kernel needs nothing of the change "
                    "(or an apply hook redoes it), declare it with "
                    "ksplice_init_changed()");
  }

  // ksplice_init_changed(sym) directives of the patch (<ksplice/hooks.h>).
  void readDirectives() {
    for (const Section &sec : post.sections()) {
      if (classOf(sec) != SectionClass::Directive)
        continue;
      StringRef rest(reinterpret_cast<const char *>(sec.data.data()),
                     sec.data.size());
      while (!rest.empty()) {
        auto [name, tail] = rest.split('\0');
        if (!name.empty())
          d.initChanged.insert(name.str());
        rest = tail;
      }
    }
  }

  // A module's changed data is written only while the module is not
  // loaded (the loader refuses with module_data_live), hooks run at apply
  // against the loaded module: one update cannot do both.
  void checkDataBesideHooks() {
    if (d.hooks.empty())
      return;
    for (const Diff::DataImage &im : d.dataImages) {
      const Symbol &owner = pre.symbol(im.preSym);
      refuse(&owner, pre, *pre.sectionOf(owner), 0,
             formatv("changed data of module '{0}' in an update with hooks: "
                     "the data is written only while the module is not "
                     "loaded, the hooks run with it loaded; keep the old "
                     "initialiser and set the new value in the "
                     "ksplice_apply() hook",
                     d.target));
    }
  }

  // The functions the patch registered as hooks: functions it adds.
  void collectHooks() {
    for (const Section &sec : post.sections()) {
      uint32_t kind = hookKind(sec.name);
      if (!kind)
        continue;
      for (const Reloc &r : sec.relocs) {
        Target t = resolveTarget(post, sec, r);
        const Symbol *fn = t.kind == Target::Symbol ? t.sym : nullptr;
        if (!fn || !fn->isFunc() || t.offset != 0 ||
            d.corr.preOf(*fn) >= 0 ||
            classOf(*post.sectionOf(*fn)) != SectionClass::Text) {
          refuse(fn, post, sec, r.offset,
                 formatv("a hook must be a function the patch adds, not "
                         "{0}",
                         describe(t)));
          continue;
        }
        d.hooks.push_back({kind, fn->index});
      }
    }
  }

  const Symbol *postTwin(const Symbol &s) {
    int32_t t = d.corr.postOf(s);
    return t < 0 ? nullptr : &post.symbol(t);
  }

  // Read-only objects whose contents changed.  A reference to one makes the
  // referrer differ, so iterate until no more objects change.
  void findChangedReadOnly() {
    std::set<uint32_t> objs;
    for (int round = 0; round < 16; ++round) {
      bool grew = false;
      for (const Symbol &s : pre.symbols()) {
        const Symbol *t = postTwin(s);
        if (!t || !s.isObject() || objs.count(s.index))
          continue;
        const Section &a = *pre.sectionOf(s), &b = *post.sectionOf(*t);
        if (classOf(a) != SectionClass::ReadOnly || a.bundled != (int)s.index)
          continue;
        std::string why = cmp.compareSections(a, b, false);
        if (why.empty())
          continue;
        objs.insert(s.index);
        d.why[s.name] = why;
        grew = true;
        if (!s.isLocal())
          refuse(&s, pre, a, 0,
                 "read-only data changed and other compilation units may "
                 "read it: " + why);
      }
      if (!grew)
        break;
      cmp.setChangedObjects(objs);
      d.changedObjects = objs;
    }
  }

  bool onlySpecialStatics(const Section &sec) {
    bool any = false;
    for (const Symbol &s : pre.symbols()) {
      if (s.shndx != sec.index || !isCorrelatable(pre, s))
        continue;
      if (!isSpecialStaticIn(pre, s))
        return false;
      any = true;
    }
    return any;
  }

  // Writable data keeps its running state: a change to an existing object
  // (size or initial value) cannot be applied.
  void checkData() {
    for (const Section &a : pre.sections()) {
      SectionClass cls = classOf(a);
      if (cls != SectionClass::Data && cls != SectionClass::InitData)
        continue;
      int32_t twin = d.corr.secTwin[0][a.index];
      const Symbol *owner = a.bundled >= 0 ? &pre.symbol(a.bundled) : nullptr;
      if (owner && isSpecialStaticIn(pre, *owner))
        continue;
      if (!owner && onlySpecialStatics(a))
        continue; // .data..once, __dyndbg: fresh copies, never compared
      if (twin < 0)
        continue; // removed data: harmless, nothing refers to it any more
      const Section &b = post.section(twin);
      std::string why = cmp.compareSections(a, b, false);
      if (why.empty())
        continue;
      if (cls == SectionClass::InitData)
        refuseInit(owner, pre, a, 0,
                   "changes to __init data are not supported: " + why);
      else if (d.target != "vmlinux" && owner)
        changedModuleData(*owner, a, b, why);
      else
        refuse(owner, pre, a, 0,
               "changed data (existing objects keep their running value "
               "and size): " + why +
                   "; to give a running variable a new value, keep the old "
                   "initialiser and set the value in a ksplice_apply() hook "
                   "(docs/patch-author.md, \"Hooks\")");
    }
  }

  // Object OWNER of a module, in pre section A (post B), has a new
  // initial value: written as the module loads if its size is the same
  // (the running module's layout is fixed when it loads).
  void changedModuleData(const Symbol &owner, const Section &a,
                         const Section &b, const std::string &why) {
    int32_t twin = d.corr.symTwin[0][owner.index];
    if (twin < 0 || b.bundled != twin ||
        a.size != b.size || owner.size != post.symbol(twin).size) {
      refuse(&owner, pre, a, 0,
             formatv("changed data of module '{0}' with a new size or "
                     "layout ({1} to {2} bytes): the running module's "
                     "objects were laid out when it loaded",
                     d.target, a.size, b.size));
      return;
    }
    d.why[owner.name] = why;
    d.dataImages.push_back({owner.index, b.index});
  }

  void compareFunctions() {
    for (const Symbol &s : pre.symbols()) {
      if (!s.isFunc() || !s.isDefined())
        continue;
      if (pre.isAlias(s)) {
        checkAlias(s, *pre.ownerOf(s));
        continue;
      }
      const Section &a = *pre.sectionOf(s);
      const Symbol *t = postTwin(s);
      if (!t) {
        if (coldParentName(s.name).empty() &&
            classOf(a) == SectionClass::Text)
          d.removedFunctions.push_back(s.name);
        continue;
      }
      const Section &b = *post.sectionOf(*t);
      SectionClass ca = classOf(a), cb = classOf(b);
      if (ca == SectionClass::Ignored && cb == SectionClass::Ignored)
        continue; // never run (built-in __exit code)
      std::string why;
      if (a.bundled != (int)s.index || b.bundled != (int)t->index) {
        // Several functions in one section (.init.text, asm trampolines):
        // compare the symbols' bytes; a change cannot be redirected alone.
        why = cmp.compareSymbols(s, *t);
        if (why.empty() && ca == cb)
          continue;
        if (ca == SectionClass::InitText || cb == SectionClass::InitText)
          refuseInit(&s, pre, a, s.value,
                     "changes to __init code are not supported");
        else if (d.isInitOnly(a) || d.isInitOnly(b))
          refuseInit(&s, pre, a, s.value,
                     "a module's __init function that shares '" +
                         a.name + "' with other __init functions cannot "
                                  "be replaced alone: " + why);
        else if (const char *pinned = pinnedTextReason(a.name))
          refuse(&s, pre, a, s.value,
                 formatv("changes to functions in '{0}' are not supported: "
                         "{1}",
                         a.name, pinned));
        else
          refuse(&s, pre, a, s.value,
                 "changed function shares its section with other code "
                 "(not compiled with -ffunction-sections?): " + why);
        continue;
      }
      why = cmp.compareSections(a, b, ca == SectionClass::Text);
      if (why.empty())
        why = cmp.compareEntries(a, b);
      if (why.empty() && ca == cb)
        continue;
      if (ca == SectionClass::InitText || cb == SectionClass::InitText) {
        refuseInit(&s, pre, a, 0, "changes to __init code are not supported");
        continue;
      }
      if (ca != SectionClass::Text || cb != SectionClass::Text) {
        refuse(&s, pre, a, 0,
               formatv("function moved from '{0}' to '{1}'", a.name, b.name));
        continue;
      }
      const char *pinned = pinnedTextReason(a.name);
      if (pinned || (pinned = pinnedTextReason(b.name))) {
        refuse(&s, pre, a, 0,
               formatv("changes to functions in '{0}' are not supported: {1}",
                       pinnedTextReason(a.name) ? a.name : b.name, pinned));
        continue;
      }
      changed.insert(s.index);
      d.why[s.name] = why;
    }
  }

  // Pre alias S is compared, carried and replaced with its owner; it must
  // still name the owner's twin.  A module's entry points (module_exit()'s
  // `cleanup_module`) are read once, when it loads: one removed, or naming
  // another function, would not be seen by the loaded module.
  void checkAlias(const Symbol &s, const Symbol &owner) {
    const Section &a = *pre.sectionOf(s);
    const Symbol *t = postTwin(s), *ot = postTwin(owner);
    if (!t) {
      if (isEntryPoint(s))
        refuse(&s, pre, a, s.value, moduleEntryPoint(s.name, "removed"));
      return;
    }
    if (ot && t->shndx == ot->shndx && t->value == ot->value)
      return; // still the owner's: compared with it
    std::string why = formatv("'{0}', another name of '{1}', now names "
                              "other code",
                              s.name, owner.name);
    if (isEntryPoint(s))
      why += ": " + loadedOnce();
    refuse(&s, pre, a, s.value, why);
  }

  // Whether S is the unit's module's init_module or cleanup_module.
  bool isEntryPoint(const Symbol &s) const {
    return d.target != "vmlinux" && isModuleEntryPoint(s.name);
  }

  static std::string moduleEntryPoint(StringRef name, StringRef what) {
    return formatv("'{0}' {1}: {2}", name, what, loadedOnce());
  }

  static std::string loadedOnce() {
    return "the module loader reads a module's init_module and "
           "cleanup_module (module_init(), module_exit()) once, when it "
           "loads the module, and the loaded module keeps the ones it was "
           "loaded with";
  }

  // `foo.cold` is a piece of `foo`: a change to either replaces both.
  void propagateCold() {
    for (const Symbol &s : pre.symbols()) {
      std::string parent = coldParentName(s.name);
      if (parent.empty() || !s.isFunc() || !changed.count(s.index))
        continue;
      for (const Symbol &p : pre.symbols())
        if (p.isFunc() && p.isDefined() && p.name == parent &&
            !changed.count(p.index) && postTwin(p)) {
          changed.insert(p.index);
          d.why[p.name] = "its part '" + s.name + "' changed: " +
                          d.why[s.name];
        }
    }
  }

  void collectNew() {
    for (const Symbol &s : post.symbols()) {
      if (!isCorrelatable(post, s) || d.corr.preOf(s) >= 0)
        continue;
      const Section &sec = *post.sectionOf(s);
      SectionClass cls = classOf(sec);
      if (s.isFunc() && isEntryPoint(s)) {
        refuse(&s, post, sec, s.value, moduleEntryPoint(s.name, "added"));
        continue;
      }
      if (post.isAlias(s))
        continue; // new with its owner, or a new name of it
      if (s.isFunc()) {
        if (!coldParentName(s.name).empty())
          continue; // travels with its parent
        if (cls == SectionClass::InitText) {
          refuseInit(&s, post, sec, s.value,
                     "new __init code is not supported");
          continue;
        }
        if (const char *pinned = pinnedTextReason(sec.name)) {
          refuse(&s, post, sec, s.value,
                 formatv("new functions in '{0}' are not supported: {1}",
                         sec.name, pinned));
          continue;
        }
        if (cls == SectionClass::Text)
          d.newFunctions.push_back(s.name);
      } else if (s.isObject() && !isSpecialStaticIn(post, s)) {
        if (sec.splitEdge && cls != SectionClass::InitData)
          refuse(&s, post, sec, s.value,
                 "new object in a section it shares with others, and a "
                 "reference lands where it meets one of them (the end of "
                 "one or the start of the other): it cannot be carried "
                 "apart from them; give it a section of its own (drop "
                 "__read_mostly)");
        else if (cls == SectionClass::Data || cls == SectionClass::ReadOnly)
          d.newData.push_back(s.name);
        else if (cls == SectionClass::InitData)
          refuseInit(&s, post, sec, s.value,
                     "new __init data is not supported");
      }
    }
  }

  // A new export is carried: the patch module exports the symbol to
  // modules loaded later.  A removed one is only reported: the running
  // kernel's export table is not changed.
  void checkExports() {
    auto exportsOf = [this](const ObjectFile &o) {
      std::map<std::string, const Section *> out;
      for (const Section &s : o.sections())
        if (classOf(s) == SectionClass::Export)
          out[exportedSymbol(s.name).str()] = &s;
      return out;
    };
    auto a = exportsOf(pre), b = exportsOf(post);
    for (auto &[name, sec] : b)
      if (!a.count(name)) {
        d.newExports.push_back(name);
        d.exportSections.push_back(sec->index);
      }
    for (auto &[name, sec] : a)
      if (!b.count(name))
        d.removedExports.push_back(name);
  }

  void checkReplaceable() {
    for (uint32_t i : changed) {
      const Symbol &s = pre.symbol(i);
      if (!coldParentName(s.name).empty())
        continue; // reached only from its parent, which is replaced
      d.changedFunctions.push_back(s.name);
      d.replaced.push_back(i);
      uint32_t jump = d.jumpOffset(s);
      if (s.size < jump + KSPLICE_JUMP_SIZE)
        refuse(&s, pre, *pre.sectionOf(s), 0,
               formatv("function is too short to take a {0}-byte jump at "
                       "offset {1} ({2} bytes)",
                       KSPLICE_JUMP_SIZE, jump, s.size));
    }
  }
};
} // namespace

Expected<std::unique_ptr<Diff>> diffObjects(const ObjectFile &pre,
                                            const ObjectFile &post,
                                            Exports exports,
                                            std::string target) {
  // The same compilation unit, or the pairing below is meaningless.
  if (pre.sourceFile() != post.sourceFile())
    return createStringError(
        inconvertibleErrorCode(),
        formatv("{0} was compiled from '{1}' but {2} from '{3}'", pre.name(),
                pre.sourceFile(), post.name(), post.sourceFile()));
  auto d = std::make_unique<Diff>();
  d->pre = &pre;
  d->post = &post;
  d->exports = std::move(exports);
  d->target = std::move(target);
  auto preTables = TableIndex::build(pre);
  if (!preTables)
    return preTables.takeError();
  auto postTables = TableIndex::build(post);
  if (!postTables)
    return postTables.takeError();
  d->preTables = std::move(*preTables);
  d->postTables = std::move(*postTables);
  // Pair symbols and sections; from here on names never decide equality.
  d->corr = correlate(pre, post);

  Passes p(*d);
  p.readDirectives();
  // Contents first: a changed constant changes every function reading it.
  p.findChangedReadOnly();
  p.checkData();
  // Code: relocation-aware comparison, then .cold parts with parents.
  p.compareFunctions();
  p.propagateCold();
  p.collectNew();
  p.checkExports();
  p.collectHooks();
  p.checkDataBesideHooks();
  p.checkReplaceable();
  // What the patch must carry, and whether every reference is expressible.
  includeClosure(*d, p.changed);
  collectPreSections(*d);

  std::sort(d->changedFunctions.begin(), d->changedFunctions.end());
  std::sort(d->newFunctions.begin(), d->newFunctions.end());
  std::sort(d->removedFunctions.begin(), d->removedFunctions.end());
  std::sort(d->newData.begin(), d->newData.end());
  std::sort(d->dataImages.begin(), d->dataImages.end(),
            [&](const Diff::DataImage &x, const Diff::DataImage &y) {
              return pre.symbol(x.preSym).name < pre.symbol(y.preSym).name;
            });
  for (const Diff::DataImage &im : d->dataImages)
    d->changedData.push_back(pre.symbol(im.preSym).name);
  std::sort(d->ignoredInit.begin(), d->ignoredInit.end());
  d->ignoredInit.erase(
      std::unique(d->ignoredInit.begin(), d->ignoredInit.end()),
      d->ignoredInit.end());
  std::sort(d->refusals.begin(), d->refusals.end());
  d->refusals.erase(std::unique(d->refusals.begin(), d->refusals.end(),
                                [](const Refusal &a, const Refusal &b) {
                                  return !(a < b) && !(b < a);
                                }),
                    d->refusals.end());
  if (!d->refusals.empty())
    d->verdict = Verdict::Unpatchable;
  else if (!d->changedFunctions.empty() || !d->newFunctions.empty() ||
           !d->newData.empty() || !d->newExports.empty() ||
           !d->dataImages.empty())
    d->verdict = Verdict::Changed;
  else
    d->verdict = Verdict::NoChange;
  return d;
}

} // namespace ksplice
