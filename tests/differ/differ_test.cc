// Verdicts of the differ on testdata/diff cases, one test per behaviour.
#include "test_util.h"
#include "x86_64.h"
#include "ksplice/abi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace ksplice;
using namespace ksplice::test;

namespace {

std::string refusalsOf(const Diff &d) {
  std::string out;
  for (const Refusal &r : d.refusals)
    out += r.section + ": '" + r.symbol + "': " + r.reason + "\n";
  return out;
}

#define LOAD(name, ...)                                                       \
  Case c = runCase(name, ##__VA_ARGS__);                                      \
  ASSERT_TRUE(c.error.empty()) << c.error;                                    \
  const Diff &d = *c.diff;
// The same for a unit of module MODULE.
#define LOAD_MODULE(module, name, symvers) LOAD(name, symvers, module)

TEST(Diff, IdenticalObjectIsNoChange) {
  auto pre = ObjectFile::open(casePath("late-relocs", "pre"));
  ASSERT_TRUE(!!pre);
  auto d = diffObjects(**pre, **pre, Exports());
  ASSERT_TRUE(!!d);
  EXPECT_EQ((*d)->verdict, Verdict::NoChange);
  EXPECT_TRUE((*d)->changedFunctions.empty());
}

TEST(Diff, RelocationOnlyChange) {
  LOAD("reloc-only");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  EXPECT_TRUE(d.newFunctions.empty());
  EXPECT_NE(d.why.at("foo").find("'bar'"), std::string::npos)
      << d.why.at("foo");
  EXPECT_NE(d.why.at("foo").find("'baz'"), std::string::npos);
}

TEST(Diff, StaticLocalsPairByTheirUsers) {
  LOAD("static-local-renamed");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"second"});
  EXPECT_TRUE(d.newData.empty());
}

TEST(Diff, CompilerClonesAndColdParts) {
  LOAD("renamed-clones");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  // .isra/.part renumbered with the same body: unchanged; the caller
  // refers to them through the pairing, so it is unchanged too.
  EXPECT_EQ(d.changedFunctions, (Names{"calc.constprop.0", "entry"}));
  EXPECT_TRUE(d.newFunctions.empty());
  EXPECT_TRUE(d.removedFunctions.empty());
  EXPECT_NE(d.why.at("entry").find("entry.cold"), std::string::npos);
}

TEST(Diff, InlinedCalleeChangesEveryUser) {
  LOAD("inlined-callee");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, (Names{"user_a", "user_b"}));
}

TEST(Diff, NewFunctionIsCarried) {
  LOAD("new-function");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  EXPECT_EQ(d.newFunctions, Names{"added_helper"});
}

TEST(Diff, NewDataIsCarried) {
  LOAD("new-data");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  EXPECT_EQ(d.newData, Names{"added_counter"});
}

TEST(Diff, ChangedDataIsRefused) {
  LOAD("changed-data");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "limit");
  EXPECT_NE(d.refusals[0].reason.find("changed data"), std::string::npos);
  EXPECT_NE(d.refusals[0].section.find(".data.limit"), std::string::npos);
}

// In a module the same change is made: the new value is carried and
// written over the object as the module loads (struct ksplice_data).
TEST(Diff, ModuleChangedDataIsWrittenAsItLoads) {
  LOAD_MODULE("mod", "changed-data", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_TRUE(d.changedFunctions.empty());
  ASSERT_EQ(d.dataImages.size(), 1u);
  EXPECT_EQ(d.pre->symbol(d.dataImages[0].preSym).name, "limit");
  EXPECT_EQ(d.post->section(d.dataImages[0].postSec).name, ".data.limit");
}

// A module's driver structure gains a callback: the new function is
// carried, the structure's new value points to it, and the function it
// already pointed to stays the running module's.
TEST(Diff, ModuleDataGainingACallbackCarriesTheCallback) {
  LOAD_MODULE("mod", "module-data-pointer", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_TRUE(d.changedFunctions.empty());
  EXPECT_EQ(d.newFunctions, Names{"my_remove"});
  ASSERT_EQ(d.dataImages.size(), 1u);
  EXPECT_EQ(d.pre->symbol(d.dataImages[0].preSym).name, "my_ops");
  for (uint32_t i : d.includedPost)
    EXPECT_NE(d.post->section(i).name, ".data.my_ops");
}

// An object that changes size cannot be written over the running one.
TEST(Diff, ModuleDataChangingSizeIsRefused) {
  LOAD_MODULE("mod", "module-data-grown", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "table");
  EXPECT_NE(d.refusals[0].reason.find("new size or layout (8 to 12 bytes)"),
            std::string::npos)
      << refusalsOf(d);
}

// A module's __read_mostly variables share .data..read_mostly whatever
// -fdata-sections (xt_connmark.c of 6.1.187): the section is split by
// object, and the one with a new initial value is written alone.
TEST(Diff, ModuleReadMostlyDataIsSplitByObject) {
  LOAD_MODULE("mod", "module-read-mostly", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_TRUE(d.changedFunctions.empty());
  ASSERT_EQ(d.dataImages.size(), 1u);
  EXPECT_EQ(d.pre->symbol(d.dataImages[0].preSym).name, "limit");
  EXPECT_EQ(d.post->section(d.dataImages[0].postSec).name,
            ".data..read_mostly.limit");
  EXPECT_EQ(d.post->section(d.dataImages[0].postSec).size, 4u);
}

// In vmlinux the section stays whole (a change to its data is refused
// anyway, and the run-pre matcher sees references as they always were).
TEST(Diff, VmlinuxReadMostlyDataStaysWhole) {
  LOAD("module-read-mostly");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_FALSE(d.refusals.empty());
  EXPECT_NE(d.refusals[0].section.find("(.data..read_mostly+0x0)"),
            std::string::npos)
      << refusalsOf(d);
  EXPECT_NE(d.refusals[0].reason.find("changed data"), std::string::npos)
      << refusalsOf(d);
  EXPECT_EQ(d.post->findSection(".data..read_mostly.limit"), nullptr);
}

// A new variable right after another one that code reads: a reference to
// its start may mean the other's end, so it is not carried alone.
TEST(Diff, ModuleNewReadMostlyDataAtAnEdgeIsRefused) {
  LOAD_MODULE("mod", "module-read-mostly-new", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "added");
  EXPECT_NE(d.refusals[0].reason.find("where it meets one of them"),
            std::string::npos)
      << d.refusals[0].reason;
}

// Hooks run with the module loaded, its changed data is written only
// while it is not: refused at create time, not by the loader later.
TEST(Diff, ModuleDataBesideHooksIsRefused) {
  LOAD_MODULE("mod", "module-data-hooks", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "limit");
  EXPECT_NE(d.refusals[0].reason.find("in an update with hooks"),
            std::string::npos)
      << d.refusals[0].reason;
}

// A module's __init data exists from COMING to LIVE, when the loader
// writes a changed object (vfb.c's vfb_enable): made like any data of a
// module, the section split by object.
TEST(Diff, ModuleInitDataIsWrittenAsItLoads) {
  LOAD_MODULE("mod", "module-init-data", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_TRUE(d.changedFunctions.empty());
  ASSERT_EQ(d.dataImages.size(), 1u);
  EXPECT_EQ(d.pre->symbol(d.dataImages[0].preSym).name, "enable");
  EXPECT_EQ(d.post->section(d.dataImages[0].postSec).name,
            ".init.data.enable");
}

// vmlinux's __init data was read at boot and freed: still refused.
TEST(Diff, VmlinuxInitDataIsRefused) {
  LOAD("module-init-data");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_FALSE(d.refusals.empty());
  EXPECT_NE(d.refusals[0].reason.find("__init data"), std::string::npos)
      << refusalsOf(d);
}

TEST(Diff, InitCodeIsRefused) {
  LOAD("init-changed");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "setup");
  EXPECT_NE(d.refusals[0].reason.find("__init"), std::string::npos);
}

// A module runs its __init code at each load: a change to it is replaced
// for the loads after the update (the loader refuses a module already
// live), with module_init()'s alias init_module.
TEST(Diff, ModuleInitCodeIsReplaced) {
  LOAD_MODULE("mod", "module-init", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"mod_init"});
  EXPECT_TRUE(d.newFunctions.empty());
}

// The same __init function in a .init.text it shares with another: the
// differ splits the section by function (split_section.h), so it is
// replaced alone (sch_teql.c, pcc-cpufreq.c, gpio-f7188x.c in 6.1.187 were
// refused), reported once under its own name.
TEST(Diff, ModuleInitSharingItsSectionIsReplacedAlone) {
  LOAD_MODULE("mod", "module-init-shared", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"mod_init"});
  EXPECT_TRUE(d.newFunctions.empty());
}

// Calls and addresses from one __init function to another are resolved by
// the assembler within .init.text; split, they are relocations again, so
// the unchanged callee is not taken for part of the caller.
TEST(Diff, ModuleInitCallingASiblingIsReplacedAlone) {
  LOAD_MODULE("mod", "module-init-calls", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"mod_init"});
  for (const ObjectFile *o : {d.pre, d.post}) {
    const Symbol *init = nullptr;
    for (const Symbol &s : o->symbols())
      if (s.name == "mod_init")
        init = &s;
    ASSERT_TRUE(init);
    const Section &sec = *o->sectionOf(*init);
    EXPECT_EQ(sec.name, ".init.text.mod_init");
    std::set<std::string> callees;
    for (const Reloc &r : sec.relocs)
      callees.insert(o->symbol(r.sym).name);
    EXPECT_TRUE(callees.count("helper")) << o->name();
    EXPECT_TRUE(callees.count("table_of")) << o->name();
  }
}

// An alias in a shared .init.text is compared as another name of its
// owner: module_init() naming another function whose bytes did not change
// is still seen (a loading module reads init_module once).
TEST(Diff, ModuleInitAliasRetargetedInASharedSectionIsRefused) {
  LOAD_MODULE("mod", "module-init-retargeted", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "init_module");
  EXPECT_NE(d.refusals[0].reason.find("another name of 'old_init', now "
                                      "names other code"),
            std::string::npos)
      << refusalsOf(d);
}

// Built-in __exit code and data, and module_exit()'s pointer, are never run
// by vmlinux (freed or discarded): changes there, even a new module_exit(),
// change nothing in the running kernel (crypto/rng.c was refused).
TEST(Diff, BuiltInExitCodeIsNotTheRunningKernel) {
  LOAD("exit-changed");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  EXPECT_TRUE(d.newFunctions.empty());
  EXPECT_TRUE(d.newData.empty());
}

// In a module, __exit code runs at rmmod, from the module's core: it is
// replaced like any function, its module_exit() alias (`cleanup_module`)
// with it.  (tlclk.c, i10nm_base.c and rmi_bus.c in 6.1.187 were refused.)
TEST(Diff, ModuleExitCodeIsReplaced) {
  LOAD_MODULE("mod", "module-exit", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"mod_exit"});
  EXPECT_TRUE(d.newFunctions.empty());
}

// The built-in form of the same change (exit-changed): in a module, changed
// __exit data is changed data, written as the module loads; the changed
// __exit function, which shares .exit.text with a new one, is replaced
// alone (the section is split).  The new module_exit() is refused.
TEST(Diff, ModuleExitDataIsWrittenSharedExitTextIsSplit) {
  LOAD_MODULE("mod", "exit-changed", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "__exitcall_new_exit");
  ASSERT_EQ(d.dataImages.size(), 1u);
  EXPECT_EQ(d.pre->symbol(d.dataImages[0].preSym).name, "farewell");
  EXPECT_EQ(d.changedFunctions, (Names{"foo", "old_exit"}));
}

// The loaded module keeps the exit function it was loaded with: a
// module_exit() that names another function, or a new one, is refused.
TEST(Diff, ModuleExitNamingOtherCodeIsRefused) {
  LOAD_MODULE("mod", "module-exit-renamed", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_FALSE(d.refusals.empty());
  EXPECT_EQ(d.refusals[0].symbol, "cleanup_module") << refusalsOf(d);
  EXPECT_NE(d.refusals[0].reason.find("once, when it loads the module"),
            std::string::npos)
      << refusalsOf(d);
}

TEST(Diff, NewModuleExitIsRefused) {
  LOAD_MODULE("mod", "module-exit-added", "");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "cleanup_module");
  EXPECT_NE(d.refusals[0].reason.find("'cleanup_module' added"),
            std::string::npos)
      << refusalsOf(d);
}

// ksplice-create opens objects deep in its cache under short names; the
// refusal names the object as it was called (once the cache path leaked).
TEST(Diff, RefusalNamesTheObjectByItsGivenName) {
  auto pre = ObjectFile::open(casePath("init-changed", "pre"), "pre/x.o");
  auto post = ObjectFile::open(casePath("init-changed", "post"), "post/x.o");
  ASSERT_TRUE(pre && post);
  auto d = diffObjects(**pre, **post, Exports());
  ASSERT_TRUE(!!d);
  ASSERT_EQ((*d)->refusals.size(), 1u);
  EXPECT_EQ((*d)->refusals[0].section.rfind("pre/x.o:(.init.text", 0), 0u)
      << (*d)->refusals[0].section;
}

// Sections the kernel recognises by address range (noinstr, __sched, ...):
// a copy in module text would lose what they mean.
TEST(Diff, NoinstrChangeIsRefused) {
  LOAD("noinstr-changed");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "enter_idle");
  EXPECT_NE(d.refusals[0].reason.find("'.noinstr.text'"), std::string::npos)
      << d.refusals[0].reason;
}

TEST(Diff, NewSchedFunctionIsRefused) {
  LOAD("sched-new");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "wait_a_bit");
  EXPECT_NE(d.refusals[0].reason.find("'.sched.text'"), std::string::npos)
      << d.refusals[0].reason;
}

TEST(Diff, LineNumberShiftIsNoChange) {
  LOAD("line-only");
  EXPECT_EQ(d.verdict, Verdict::NoChange)
      << refusalsOf(d) << (d.why.count("checked") ? d.why.at("checked") : "");
}

TEST(Diff, TooShortFunctionIsRefused) {
  LOAD("too-short");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "tiny");
  EXPECT_NE(d.refusals[0].reason.find("too short"), std::string::npos);
}

TEST(Diff, RemovedFunctionIsReported) {
  LOAD("removed-function");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  EXPECT_EQ(d.removedFunctions, Names{"old_helper"});
}

// The reference a kept table entry makes to the running kernel, by kind.
Reference::Kind keptReference(const Diff &d, const std::string &table,
                              uint64_t fieldInEntry) {
  for (const TableEntry &e : d.keptEntries)
    if (e.table->name == table)
      for (const Reloc &r : relocsIn(*e.table, e.offset, e.spec->entsize))
        if (r.offset == e.offset + fieldInEntry)
          return d.reference(*e.table, r).kind;
  return Reference::Invalid;
}

TEST(Diff, UnexportedStaticKeyIsResolvedAtLoad) {
  LOAD("jump-label-unexported",
       "0x1\t_printk\tvmlinux\tEXPORT_SYMBOL\n"
       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n"
       "0x4\tsource\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  // The module loader registers the entry with its key at load.
  EXPECT_EQ(keptReference(d, "__jump_table", 8), Reference::LoadTime);
}

TEST(Diff, UnexportedStaticCallIsResolvedAtLoadKeyAndCall) {
  LOAD("static-call-unexported",
       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(keptReference(d, ".static_call_sites", 4), Reference::LoadTime);
  // The call in the code is in the site the module loader retargets.
  const Section *text = c.post->findSection(".text.foo");
  ASSERT_TRUE(text);
  int calls = 0;
  for (const Reloc &r : text->relocs) {
    Reference ref = d.reference(*text, r);
    if (ref.name != "__SCT__tp_func_x")
      continue;
    ++calls;
    EXPECT_EQ(ref.kind, Reference::LoadTime);
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(d.loadTimeSymbols,
            (Names{"__SCK__tp_func_x", "__SCT__tp_func_x"}));
}

TEST(Diff, LocalStaticKeyOfVmlinuxIsResolvedAtLoad) {
  LOAD("jump-label-local-key");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(keptReference(d, "__jump_table", 8), Reference::LoadTime);
}

// A static key of the file, in a module unit: the module loader cannot
// resolve it, but jump_label reads the entry only in its COMING callback,
// after the core's, which writes it (KSPLICE_RELOC_AT_LOAD).
TEST(Diff, LocalStaticKeyOfAModuleIsWrittenWhenThePatchModuleComes) {
  LOAD_MODULE("kstest", "jump-label-local-key", "");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(keptReference(d, "__jump_table", 8), Reference::AtComing);
  EXPECT_TRUE(d.loadTimeSymbols.empty());
}

// A module links only to exported symbols: an unexported global is the
// module's own (a tracepoint of another file of the module, found in
// target_core_mod, xhci_hcd, btrfs, ocfs2, ext4, kafs).
TEST(Diff, UnexportedGlobalKeyOfAModuleIsWrittenWhenThePatchModuleComes) {
  LOAD_MODULE("kstest", "jump-label-unexported",
              "0x1\t_printk\tvmlinux\tEXPORT_SYMBOL\n"
              "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
              "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n"
              "0x4\tsource\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(keptReference(d, "__jump_table", 8), Reference::AtComing);
}

// A static call of a module (a tracepoint's): the key in the table and the
// call in the site, which static_call's COMING callback rewrites.
TEST(Diff, StaticCallOfAModuleIsWrittenWhenThePatchModuleComes) {
  LOAD_MODULE("kstest", "static-call-unexported",
              "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
              "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(keptReference(d, ".static_call_sites", 4), Reference::AtComing);
  const Section *text = d.post->findSection(".text.foo");
  ASSERT_TRUE(text);
  int calls = 0;
  for (const Reloc &r : text->relocs)
    if (d.reference(*text, r).name == "__SCT__tp_func_x") {
      ++calls;
      EXPECT_EQ(d.reference(*text, r).kind, Reference::AtComing);
    }
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(d.loadTimeSymbols.empty());
}

TEST(Diff, ExportedStaticKeyIsFine) {
  LOAD("jump-label-unexported",
       "0x1\tprivate_key\tvmlinux\tEXPORT_SYMBOL_GPL\n"
       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n"
       "0x4\tsource\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
}

// The kind of every reference from SECTION's code to NAME.
std::vector<Reference::Kind> codeReferences(const Case &c,
                                            const std::string &section,
                                            const std::string &name) {
  std::vector<Reference::Kind> kinds;
  const Section *text = c.post->findSection(section);
  if (!text)
    return kinds;
  for (const Reloc &r : text->relocs) {
    Reference ref = c.diff->reference(*text, r);
    if (ref.name == name)
      kinds.push_back(ref.kind);
  }
  return kinds;
}

// A module's export is not linked from code: the patch module would then
// depend on that module (load it first, never unload it).  The core
// resolves the call once the module is there.
TEST(Diff, ModuleExportCalledFromCodeIsLate) {
  LOAD("jump-label-unexported",
       "0x1\tprivate_key\tvmlinux\tEXPORT_SYMBOL_GPL\n"
       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n"
       "0x4\tsource\tdrivers/misc/kstest\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(codeReferences(c, ".text.foo", "source"),
            std::vector<Reference::Kind>{Reference::Late});
  EXPECT_EQ(keptReference(d, "__jump_table", 8), Reference::Exported);
}

// A table entry the kernel reads when the patch module loads links to a
// module's export, as any module's would: the patch module depends on it.
TEST(Diff, ModuleExportInATableIsLinked) {
  LOAD("jump-label-unexported",
       "0x1\tprivate_key\tdrivers/misc/kstest\tEXPORT_SYMBOL_GPL\n"
       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n"
       "0x4\tsource\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(keptReference(d, "__jump_table", 8), Reference::Exported);
  EXPECT_EQ(codeReferences(c, ".text.foo", "source"),
            std::vector<Reference::Kind>{Reference::Exported});
}

// __UNIQUE_ID() names end in __COUNTER__, which a patch shifts: they pair
// with the number dropped (hv_vmbus, virtio-rng, adt7470 were refused for
// "new __init data" of module_init()'s addressable static).
TEST(Diff, UniqueIdCounterShiftIsNotANewObject) {
  LOAD("unique-id-counter");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"foo"});
  EXPECT_TRUE(d.newData.empty());
}

TEST(Diff, ExtableChangeOnlyInOneFunction) {
  LOAD("extable-kept");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"read_two"});
  ASSERT_EQ(d.keptEntries.size(), 2u); // __ex_table + __mcount_loc
  int extable = 0;
  for (const TableEntry &e : d.keptEntries)
    if (e.table->name == "__ex_table") {
      ++extable;
      EXPECT_EQ(c.post->symbol(e.site->bundled).name, "read_two");
    }
  EXPECT_EQ(extable, 1);
}

TEST(Diff, AlternativeKeptWithItsFunction) {
  LOAD("alternative-kept");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"fenced_a"});
  int alts = 0;
  for (const TableEntry &e : d.keptEntries)
    alts += e.table->name == ".altinstructions";
  EXPECT_EQ(alts, 1);
  bool replacement = false;
  for (uint32_t i : d.includedPost)
    replacement |= c.post->section(i).name == ".altinstr_replacement";
  EXPECT_TRUE(replacement);
}

// static_cpu_has(): .altinstr_aux is code the function jumps to, not a
// table the module loader reads; its back references into functions the
// patch does not replace are late ones, in a module too (kvm_amd's svm.c
// was refused for its other functions' slow paths).
TEST(Diff, CpuHasSlowPathsAreLateReferences) {
  auto pre = ObjectFile::open(casePath("cpu-has-aux", "pre"));
  auto post = ObjectFile::open(casePath("cpu-has-aux", "post"));
  ASSERT_TRUE(pre && post);
  auto diff = diffObjects(**pre, **post, Exports(), "kstest");
  ASSERT_TRUE(!!diff);
  const Diff &d = **diff;
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"changed"});
  int late = 0;
  for (uint32_t i : d.includedPost) {
    const Section &sec = (*post)->section(i);
    if (sec.name != ".altinstr_aux")
      continue;
    for (const Reloc &r : sec.relocs) {
      Reference ref = d.reference(sec, r);
      EXPECT_NE(ref.kind, Reference::LoadTime) << ref.name;
      late += ref.kind == Reference::Late && ref.name == "other";
    }
  }
  EXPECT_EQ(late, 2); // jnz t_yes, jmp t_no
  EXPECT_TRUE(d.loadTimeSymbols.empty());
}

TEST(Diff, UnexportedCallInKeptReplacementIsResolvedAtLoad) {
  LOAD("alternative-late-reloc",
       "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
       "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"fenced_a"});
  // apply_alternatives() copies the call at load: hidden_a resolves then.
  int loadTime = 0, dead = 0;
  for (uint32_t i : d.includedPost) {
    const Section &sec = c.post->section(i);
    if (sec.name != ".altinstr_replacement")
      continue;
    for (const Reloc &r : sec.relocs) {
      if (!d.isLive(sec, r)) {
        ++dead; // fenced_b's call: its entry is not kept
        continue;
      }
      Reference ref = d.reference(sec, r);
      EXPECT_EQ(ref.name, "hidden_a");
      loadTime += ref.kind == Reference::LoadTime;
    }
  }
  EXPECT_EQ(loadTime, 1);
  EXPECT_EQ(dead, 1);
}

TEST(Diff, SwitchTableContentsCount) {
  LOAD("switch-table-changed");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"lookup"});
  EXPECT_TRUE(d.newData.empty());
  bool table = false;
  for (uint32_t i : d.includedPost)
    table |= c.post->section(i).name.find("CSWTCH") != std::string::npos;
  EXPECT_TRUE(table); // a fresh copy travels with the new code
}

TEST(Diff, UnknownSectionReferringToChangedCodeIsRefused) {
  LOAD("unknown-section");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_EQ(d.refusals.size(), 1u) << refusalsOf(d);
  EXPECT_EQ(d.refusals[0].symbol, "foo");
  EXPECT_EQ(d.refusals[0].reason,
            "section 'my_table' of unknown kind refers to changed function "
            "'foo'");
}

TEST(Diff, NewOnceFlagIsNotChangedData) {
  LOAD("warn-once-added");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"second"});
  EXPECT_TRUE(d.newData.empty());
}

TEST(Diff, TableSectionOrderDoesNotMatter) {
  LOAD("table-order");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_TRUE(d.changedFunctions.empty())
      << d.changedFunctions[0] << ": " << d.why.at(d.changedFunctions[0]);
  EXPECT_EQ(d.newFunctions, Names{"added_first"});
}

TEST(Diff, MergedConstantsCompareByEntry) {
  LOAD("merged-constants");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"second"});
  EXPECT_NE(d.why.at("second").find("a constant in '.rodata.cst8'"),
            std::string::npos)
      << d.why.at("second");
}

// lib/vsprintf.o's `cmp $.LC39+0xa,%rax`: through a label, the string is
// the label's, however far past its end the addend goes; the string after
// it (changed in POST, read by `second`) is not `first`'s.
TEST(Diff, StringThroughALabelIsTheLabelsString) {
  LOAD("string-label-addend");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.changedFunctions, Names{"second"});
}

TEST(Diff, NewExportsAreCarriedRemovedOnesReported) {
  LOAD("new-export", "0x2\t__fentry__\tvmlinux\tEXPORT_SYMBOL\n"
                     "0x3\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\n");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_EQ(d.newFunctions, Names{"new_api"});
  EXPECT_TRUE(d.changedFunctions.empty());
  EXPECT_EQ(d.newExports, (Names{"new_api", "quiet_api"}));
  EXPECT_EQ(d.removedExports, Names{"kept_api"});
  // The export entries travel; quiet_api's names the running function,
  // which the module loader resolves (the patch module exports it).
  std::set<std::string> carried;
  for (uint32_t i : d.includedPost)
    carried.insert(c.post->section(i).name);
  EXPECT_TRUE(carried.count("___ksymtab+new_api"));
  EXPECT_TRUE(carried.count("___ksymtab+quiet_api"));
  EXPECT_FALSE(carried.count("___ksymtab+old_api"));
  EXPECT_FALSE(carried.count(".text.quiet_api"));
  EXPECT_EQ(d.loadTimeSymbols, Names{"quiet_api"});
}

TEST(Diff, HooksAreCarriedAndListedAndInitChangesDeclared) {
  LOAD("hooks");
  EXPECT_EQ(d.verdict, Verdict::Changed) << refusalsOf(d);
  EXPECT_TRUE(d.changedFunctions.empty());
  EXPECT_EQ(d.newFunctions, (Names{"limit_ok", "raise_limit",
                                   "restore_limit"}));
  EXPECT_EQ(d.ignoredInit, Names{"foo_setup"});
  // Kinds in the order the loader calls them; each a function the patch
  // adds.
  std::vector<std::pair<uint32_t, std::string>> hooks;
  for (const Diff::Hook &h : d.hooks)
    hooks.push_back({h.kind, c.post->symbol(h.sym).name});
  std::vector<std::pair<uint32_t, std::string>> want = {
      {KSPLICE_HOOK_PRE_APPLY, "limit_ok"},
      {KSPLICE_HOOK_APPLY, "raise_limit"},
      {KSPLICE_HOOK_REVERSE, "restore_limit"}};
  std::sort(hooks.begin(), hooks.end());
  EXPECT_EQ(hooks, want);
  // No data refusal: the initialiser did not change.
}

TEST(Diff, InitChangeWithoutTheDeclarationIsRefusedWithTheWayOut) {
  // changed-data changes an initialiser; init-changed an __init function.
  LOAD("init-changed");
  EXPECT_EQ(d.verdict, Verdict::Unpatchable);
  ASSERT_FALSE(d.refusals.empty());
  EXPECT_NE(d.refusals[0].reason.find("ksplice_init_changed()"),
            std::string::npos)
      << refusalsOf(d);
  Case data = runCase("changed-data");
  ASSERT_TRUE(data.diff);
  ASSERT_FALSE(data.diff->refusals.empty());
  EXPECT_NE(data.diff->refusals[0].reason.find("ksplice_apply() hook"),
            std::string::npos)
      << refusalsOf(*data.diff);
}

TEST(Diff, MismatchedSourceFileIsAnError) {
  auto pre = ObjectFile::open(casePath("reloc-only", "pre"));
  auto post = ObjectFile::open(casePath("new-data", "post"));
  ASSERT_TRUE(pre && post);
  auto d = diffObjects(**pre, **post, Exports());
  ASSERT_FALSE(!!d);
  std::string msg = llvm::toString(d.takeError());
  EXPECT_NE(msg.find("was compiled from 'reloc-only.c'"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("'new-data.c'"), std::string::npos) << msg;
}

TEST(Names, Normalize) {
  EXPECT_EQ(normalizeName("foo.isra.12"), "foo.isra");
  EXPECT_EQ(normalizeName("foo.123"), "foo");
  EXPECT_EQ(normalizeName("foo.constprop.0.isra.0"), "foo.constprop.isra");
  EXPECT_EQ(normalizeName("__key.45"), "__key");
  EXPECT_EQ(normalizeName("plain"), "plain");
  EXPECT_EQ(coldParentName("entry.cold"), "entry");
  EXPECT_EQ(coldParentName("entry.cold.7"), "entry");
  EXPECT_EQ(coldParentName("entry.colder"), "");
  EXPECT_EQ(coldParentName("entry"), "");
}

TEST(Symvers, ParsesAndRejects) {
  auto ok = parseSymvers("0x1234\tprintk\tvmlinux\tEXPORT_SYMBOL\n"
                         "0x5678\tfoo\tdrivers/x\tEXPORT_SYMBOL_GPL\tNS\n",
                         "m");
  ASSERT_TRUE(!!ok);
  EXPECT_TRUE(ok->isExported("printk"));
  EXPECT_TRUE(ok->isExported("foo"));
  EXPECT_FALSE(ok->isExported("bar"));
  auto bad = parseSymvers("garbage line\n", "m");
  ASSERT_FALSE(!!bad);
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "m:1: expected 'crc<TAB>symbol<TAB>module<TAB>"
            "export_type[<TAB>namespace]'");
}

} // namespace

namespace {

int64_t biasOf(std::vector<uint8_t> code, uint64_t at, bool exec = true) {
  Section s;
  s.flags = exec ? 0x6 : 0x2; // SHF_ALLOC | SHF_EXECINSTR
  s.data = code;
  Reloc r;
  r.offset = at;
  r.type = 2; // R_X86_64_PC32
  return pcrelBias(s, r);
}

TEST(X86_64, PcrelBias) {
  // call rel32 / mov x(%rip),%eax: the field ends the instruction.
  EXPECT_EQ(biasOf({0xe8, 0, 0, 0, 0}, 1), 4);
  EXPECT_EQ(biasOf({0x8b, 0x05, 0, 0, 0, 0}, 2), 4);
  // movl $1, x(%rip): imm32 follows.
  EXPECT_EQ(biasOf({0xc7, 0x05, 0, 0, 0, 0, 1, 0, 0, 0}, 2), 8);
  // movw $1, x(%rip): imm16; cmpb $0, x(%rip): imm8.
  EXPECT_EQ(biasOf({0x66, 0xc7, 0x05, 0, 0, 0, 0, 1, 0}, 3), 6);
  EXPECT_EQ(biasOf({0x80, 0x3d, 0, 0, 0, 0, 0}, 2), 5);
  // .long x - . in data: the field is P.
  EXPECT_EQ(biasOf({0, 0, 0, 0}, 0, false), 0);
}

} // namespace
