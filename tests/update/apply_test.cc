// ksplice-apply's transaction (update/apply.h) in-process, on a fake host:
// every way it can fail and what it must leave behind (the kernel as it
// was: no module it loaded, no record), and what ksplice-apply prints.
#include "apply.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "cli.h"
#include "fake_host.h"
#include "fs.h"
#include "ko_image.h"
#include "package.h"
#include "subprocess.h"
#include "test_keys.h"
#include "test_util.h"

using namespace ksplice;
using namespace ksplice::test;

namespace {

std::string ko(const std::string &name) {
  return makeKo("name=" + name + std::string(1, '\0'));
}

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("apply_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    host_ = std::make_unique<FakeHost>(tmp_.path() + "/run");
    host_->registers["ksplice_cmdline_fix"] = "cmdline-fix";
    in_ = tmp_.path() + "/in";
    ASSERT_TRUE(makeDirectories(in_));
    ASSERT_TRUE(writeFile(in_ + "/ksplice.ko", ko("ksplice")));
    ASSERT_TRUE(writeFile(in_ + "/ksplice_cmdline_fix.ko",
                          ko("ksplice_cmdline_fix")));
    ASSERT_TRUE(writeFile(in_ + "/patch", "--- a/fs/proc/cmdline.c\n+++ b\n"));
    keys_ = writeTestKeys(tmp_.path());
    fields_ = sampleFields();
    fields_.kernelRelease = "6.1.0-test";
    pkg_ = package(fields_);
  }

  std::string package(const Manifest &m) {
    std::string out = tmp_.path() + "/" + m.id + ".tar.gz";
    Status s = writePackage(in_, m, out, signerFor(keys_.privateKey));
    EXPECT_TRUE(s) << s.message();
    return out;
  }

  ApplyOptions options(bool dryRun, unsigned retries) {
    ApplyOptions o{pkg_, dryRun, retries};
    o.trust.keysDir = keys_.trustedDir;
    return o;
  }
  ApplyReport apply(unsigned retries = 0) {
    return applyUpdate(*host_, options(false, retries));
  }
  ApplyReport dryRun(unsigned retries = 0) {
    return applyUpdate(*host_, options(true, retries));
  }
  std::string err(const ApplyReport &r, bool raw = false) {
    return printApply("ksplice-apply", r, raw).err;
  }
  std::string out(const ApplyReport &r) {
    return printApply("ksplice-apply", r, false).out;
  }
  // Nothing this run loaded is left, and nothing was recorded.
  void expectKernelAsBefore(std::set<std::string> modules = {}) {
    EXPECT_EQ(host_->loaded, modules);
    EXPECT_TRUE(host_->records().list().empty());
  }
  void expectLog(std::vector<std::string> log) { EXPECT_EQ(host_->log, log); }

  TempDir tmp_;
  std::unique_ptr<FakeHost> host_;
  std::string in_, pkg_;
  Manifest fields_;
  TestKeys keys_;
};

const std::string kCore = "ksplice", kPatch = "ksplice_cmdline_fix";

}  // namespace

TEST_F(ApplyTest, AppliesLoadsAndRecords) {
  ApplyReport r = apply();
  EXPECT_EQ(r.outcome, ApplyReport::Applied);
  EXPECT_FALSE(r.failure);
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "write cmdline-fix/stage apply"});
  EXPECT_EQ(host_->loader.updates["cmdline-fix"].stage, "applied");
  auto recs = host_->records().list();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].id, "cmdline-fix");
  EXPECT_EQ(recs[0].module, kPatch);
  EXPECT_EQ(recs[0].appliedAt, host_->now());
  EXPECT_EQ(out(r), "applied update 'cmdline-fix': " + fields_.description +
                        "\n  replaced 'cmdline_proc_show' in vmlinux\n"
                        "  the kernel was paused for 1.0 \u00b5s\n");
  EXPECT_EQ(err(r), "");
  EXPECT_EQ(printApply("ksplice-apply", r, true).status, 0);
  std::vector<std::string> phases;
  for (const Phase &p : r.phases)
    phases.push_back(p.name);
  EXPECT_EQ(phases, (std::vector<std::string>{"verify", "lock", "prerequisites",
                                              "load_core", "load_patch",
                                              "apply", "record", "persist"}));
}

TEST_F(ApplyTest, CoreAlreadyLoadedIsNeitherLoadedNorUnloaded) {
  host_->loader.up = true;
  host_->loaded.insert(kCore);
  host_->loader.answers["cmdline-fix/apply"].cause = "no_match";
  ApplyReport r = apply();
  EXPECT_EQ(r.outcome, ApplyReport::Failed);
  expectLog({"load ksplice_cmdline_fix", "write cmdline-fix/stage apply",
             "unload ksplice_cmdline_fix"});
  expectKernelAsBefore({kCore});
}

TEST_F(ApplyTest, CoreLoadFails) {
  host_->loadFails[kCore] = Status::error("cannot load module 'x': no");
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "other");
  EXPECT_EQ(r.failure->message, "cannot load module 'x': no; nothing was "
                                "changed");
  expectLog({"load ksplice"});
  expectKernelAsBefore();
}

TEST_F(ApplyTest, CoreLoadedButNoSysfsIsUnloadedAgain) {
  host_->coreMakesSysfs = false;
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_package");
  EXPECT_EQ(r.failure->message,
            "loaded the core module 'ksplice', but '/fake/sys/kernel/ksplice' "
            "did not appear; the package's 'ksplice.ko' is not the ksplice "
            "core: rebuild the package with ksplice-create");
  expectLog({"load ksplice", "unload ksplice"});
  expectKernelAsBefore();

  // And if it cannot be unloaded either: a warning says so.
  host_->log.clear();
  host_->unloadFails[kCore] = Status::error("cannot unload module 'ksplice': "
                                            "it is in use");
  ApplyReport r2 = apply();
  ASSERT_TRUE(r2.failure);
  EXPECT_EQ(r2.warnings, std::vector<std::string>{
                             "cannot unload module 'ksplice': it is in use"});
  EXPECT_EQ(err(r2, true),
            "bad_package\n"
            "ksplice-apply: warning: cannot unload module 'ksplice': it is in "
            "use\n"
            "ksplice-apply: error: " + r2.failure->message + "\n");
}

TEST_F(ApplyTest, CoreThatIsNotAModule) {
  ASSERT_TRUE(writeFile(in_ + "/ksplice.ko", "not a module"));
  pkg_ = package(fields_);
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_package");
  EXPECT_NE(r.failure->message.find("is not a kernel module"),
            std::string::npos);
  expectLog({});
}

TEST_F(ApplyTest, PatchModuleLoadFailsAndTheCoreGoes) {
  host_->loadFails[kPatch] =
      Status::error("cannot load module 'p': the kernel refused its format");
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "other");
  EXPECT_EQ(r.failure->message, "cannot load module 'p': the kernel refused "
                                "its format; nothing was changed");
  expectLog({"load ksplice", "load ksplice_cmdline_fix", "unload ksplice"});
  expectKernelAsBefore();
}

// The core refused the patch module as it came (its tables refer to a
// module that is not loaded): the user gets the core's token and detail,
// from refused_load.
TEST_F(ApplyTest, PatchModuleTheCoreRefusesToLoadSaysWhy) {
  host_->loadFails[kPatch] = Status::error(
      "cannot load module 'p': No such device (see dmesg)");
  host_->loader.refusedLoad =
      "ksplice_cmdline_fix target_not_loaded\nunit 'fs/ext4/fsync.o' has "
      "table entries that refer to '__SCK__tp_func_x' of module 'ext4', "
      "which the kernel links when the patch module loads; load 'ext4' "
      "first\n";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "target_not_loaded");
  EXPECT_EQ(r.failure->action, "load");
  ASSERT_EQ(r.failure->detail.size(), 1u);
  EXPECT_NE(r.failure->detail[0].find("load 'ext4' first"), std::string::npos);
  expectLog({"load ksplice", "load ksplice_cmdline_fix", "unload ksplice"});
  expectKernelAsBefore();
}

// Another module's refusal is not this one's.
TEST_F(ApplyTest, PatchModuleLoadFailureIgnoresAnotherModulesRefusal) {
  host_->loadFails[kPatch] = Status::error("cannot load module 'p': no");
  host_->loader.refusedLoad = "ksplice_other target_not_loaded\nunit\n";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "other");
  EXPECT_EQ(r.failure->message, "cannot load module 'p': no; nothing was "
                                "changed");
}

TEST_F(ApplyTest, PatchModuleThatIsNotAModule) {
  ASSERT_TRUE(writeFile(in_ + "/ksplice_cmdline_fix.ko", "junk"));
  pkg_ = package(fields_);
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_package");
  expectLog({"load ksplice", "unload ksplice"});
  expectKernelAsBefore();
}

TEST_F(ApplyTest, PatchModuleThatRegistersNothing) {
  host_->registers.clear();
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_package");
  EXPECT_EQ(r.failure->message,
            "patch module 'ksplice_cmdline_fix.ko' loaded but did not "
            "register update 'cmdline-fix' in '/fake/sys/kernel/ksplice'; the "
            "package is inconsistent: rebuild it with ksplice-create");
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "unload ksplice_cmdline_fix", "unload ksplice"});
  expectKernelAsBefore();
}

TEST_F(ApplyTest, RetriesThatCannotBeSet) {
  host_->loader.unwritable.insert("cmdline-fix/retries");
  ApplyReport r = apply(9);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->message,
            "cannot open '/fake/sys/kernel/ksplice/cmdline-fix/retries' for "
            "writing: Permission denied (run as root); nothing was changed");
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "write cmdline-fix/retries 9", "unload ksplice_cmdline_fix",
             "unload ksplice"});
  expectKernelAsBefore();
}

// Every abort cause: the loader's token, sentence and detail, the patch
// module and the core unloaded again, no record.
TEST_F(ApplyTest, EveryAbortCauseRollsBack) {
  for (const std::string &cause : knownCauses()) {
    if (cause == "none")
      continue;
    SCOPED_TRACE(cause);
    SetUp();
    LoaderAnswer &a = host_->loader.answers["cmdline-fix/apply"];
    a.cause = cause;
    a.detail = "fs/proc/cmdline.o: cmdline_proc_show+0x1c: expected 48 89 e5, "
               "found e9 00 00\n";
    ApplyReport r = apply();
    ASSERT_TRUE(r.failure);
    EXPECT_EQ(r.outcome, ApplyReport::Failed);
    EXPECT_TRUE(r.failure->byLoader());
    EXPECT_EQ(r.failure->token, cause);
    EXPECT_EQ(r.failure->sentence(), causeSentence(cause));
    EXPECT_EQ(r.failure->detail,
              std::vector<std::string>{"fs/proc/cmdline.o: cmdline_proc_show"
                                       "+0x1c: expected 48 89 e5, found e9 00 "
                                       "00"});
    expectLog({"load ksplice", "load ksplice_cmdline_fix",
               "write cmdline-fix/stage apply", "unload ksplice_cmdline_fix",
               "unload ksplice"});
    expectKernelAsBefore();
    EXPECT_EQ(err(r, true),
              cause + "\nksplice-apply: error: " + cause + ": " +
                  causeSentence(cause) +
                  "\nksplice-apply: note: the loader refused to apply update "
                  "'cmdline-fix'\n"
                  "ksplice-apply: note: fs/proc/cmdline.o: cmdline_proc_show"
                  "+0x1c: expected 48 89 e5, found e9 00 00\n");
    EXPECT_EQ(out(r), "");
    EXPECT_EQ(printApply("ksplice-apply", r, false).status, 1);
  }
}

TEST_F(ApplyTest, CodeBusyNamesTheTasks) {
  LoaderAnswer &a = host_->loader.answers["cmdline-fix/apply"];
  a.cause = "code_busy";
  a.conflicts = "4321 my worker cmdline_proc_show\n77 k (running)\n...\n";
  // The loader's detail repeats the tasks, indented: said once.
  a.detail = "code_busy: apply failed after 2 tries; in use by:\n"
             "  4321 my worker cmdline_proc_show\n"
             "  77 k (running)\n"
             "... and 3 more\n";
  ApplyReport r = apply(2);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(err(r),
            "ksplice-apply: error: code_busy: " + causeSentence("code_busy") +
                "\nksplice-apply: note: the loader refused to apply update "
                "'cmdline-fix'\n"
                "ksplice-apply: note: code_busy: apply failed after 2 tries; "
                "in use by:\n"
                "ksplice-apply: note: ... and 3 more\n"
                "ksplice-apply: note: task 'my worker' (pid 4321) is running "
                "'cmdline_proc_show'\n"
                "ksplice-apply: note: task 'k' (pid 77) was running on "
                "another CPU and could not be checked\n"
                "ksplice-apply: note: (more tasks conflicted; the loader "
                "listed only the first ones)\n");
  expectKernelAsBefore();
}

// A core from before the detail file: the report has no detail lines.
TEST_F(ApplyTest, OlderCoreWithoutDetail) {
  host_->loader.hasDetail = false;
  host_->loader.hasMatch = false;
  host_->loader.hasTimings = false;
  LoaderAnswer &a = host_->loader.answers["cmdline-fix/apply"];
  a.cause = "no_match";
  a.detail = "not shown\n";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_TRUE(r.failure->detail.empty());
  EXPECT_TRUE(r.match.empty());
  EXPECT_TRUE(r.timings.empty());
  EXPECT_EQ(err(r), "ksplice-apply: error: no_match: " +
                        causeSentence("no_match") +
                        "\nksplice-apply: note: the loader refused to apply "
                        "update 'cmdline-fix'\n");
}

// The write failed but the loader left no cause: the write's error.
TEST_F(ApplyTest, StageWriteFailsWithoutACause) {
  host_->loader.answers["cmdline-fix/apply"].writeFails = true;
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_FALSE(r.failure->byLoader());
  EXPECT_EQ(r.failure->token, "other");
  EXPECT_EQ(r.failure->message,
            "writing 'apply' to '/fake/sys/kernel/ksplice/cmdline-fix/stage' "
            "failed: Invalid argument");
  expectKernelAsBefore();
}

TEST_F(ApplyTest, StageWriteFailsAndTheCauseCannotBeRead) {
  host_->loader.answers["cmdline-fix/apply"].cause = "no_match";
  host_->loader.unreadable.insert("cmdline-fix/abort_cause");
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "other");
  EXPECT_NE(r.failure->message.find("writing 'apply'"), std::string::npos);
  expectKernelAsBefore();
}

TEST_F(ApplyTest, StageWriteCannotOpen) {
  host_->loader.unwritable.insert("cmdline-fix/stage");
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->message,
            "cannot open '/fake/sys/kernel/ksplice/cmdline-fix/stage' for "
            "writing: Permission denied (run as root)");
  expectKernelAsBefore();
}

// The core this run loaded stays when another update registered in the
// meantime (here: as the core loaded).
TEST_F(ApplyTest, CoreStaysForAnotherUpdate) {
  host_->registers[kCore] = "other";
  host_->loader.answers["cmdline-fix/apply"].cause = "no_match";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "write cmdline-fix/stage apply", "unload ksplice_cmdline_fix"});
  EXPECT_TRUE(host_->loaded.count(kCore));
}

TEST_F(ApplyTest, UnloadFailsDuringRollback) {
  host_->loader.answers["cmdline-fix/apply"].cause = "no_match";
  host_->unloadFails[kPatch] =
      Status::error("cannot unload module 'ksplice_cmdline_fix': it is in use");
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "no_match");
  EXPECT_EQ(r.warnings,
            std::vector<std::string>{
                "cannot unload module 'ksplice_cmdline_fix': it is in use"});
  // The core stays: the patch module still uses it.
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "write cmdline-fix/stage apply", "unload ksplice_cmdline_fix"});
  std::string e = err(r, true);
  EXPECT_EQ(e.substr(0, e.find('\n')), "no_match");
  EXPECT_NE(e.find("\nksplice-apply: warning: cannot unload module "
                   "'ksplice_cmdline_fix': it is in use\n"
                   "ksplice-apply: error: no_match: "),
            std::string::npos)
      << e;
}

TEST_F(ApplyTest, RecordThatCannotBeWrittenIsAWarning) {
  host_->fakeRecords.addFails = Status::error("cannot create '/run/x': No "
                                              "space left on device");
  ApplyReport r = apply();
  EXPECT_EQ(r.outcome, ApplyReport::Applied);
  EXPECT_FALSE(r.failure);
  EXPECT_EQ(err(r), "ksplice-apply: warning: the update is applied, but it "
                    "could not be recorded: cannot create '/run/x': No space "
                    "left on device; 'ksplice-undo --all' will not see it, "
                    "undo it with 'ksplice-undo cmdline-fix'\n");
  EXPECT_EQ(printApply("ksplice-apply", r, false).status, 0);
  EXPECT_TRUE(host_->loaded.count(kPatch));
}

TEST_F(ApplyTest, AlreadyApplied) {
  host_->addUpdate("cmdline-fix", "applied", kPatch);
  fields_.after = {hexOf('e')};  // not checked for an applied update
  pkg_ = package(fields_);
  for (bool dry : {false, true}) {
    ApplyReport r = dry ? dryRun() : apply();
    EXPECT_EQ(r.outcome, ApplyReport::AlreadyApplied);
    EXPECT_FALSE(r.failure);
    EXPECT_EQ(out(r), std::string("update 'cmdline-fix' is already applied; "
                                  "nothing to ") +
                          (dry ? "check" : "do") + "\n");
  }
  expectLog({});
}

// Loaded by other means and not applied: applied where it is; after a
// failure it stays loaded (not ours to unload).
TEST_F(ApplyTest, AnUpdateLoadedByOthers) {
  host_->addUpdate("cmdline-fix", "reversed", kPatch);
  host_->loader.answers["cmdline-fix/apply"].cause = "code_busy";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  expectLog({"write cmdline-fix/stage apply"});
  EXPECT_TRUE(host_->loaded.count(kPatch));

  host_->loader.answers.clear();
  host_->log.clear();
  ApplyReport ok = apply();
  EXPECT_EQ(ok.outcome, ApplyReport::Applied);
  expectLog({"write cmdline-fix/stage apply"});
  ASSERT_EQ(host_->records().list().size(), 1u);
  EXPECT_EQ(host_->records().list()[0].module, kPatch);
}

TEST_F(ApplyTest, WrongRelease) {
  host_->release = "6.1.0-other";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->message,
            "update 'cmdline-fix' in '" + pkg_ +
                "' is for kernel '6.1.0-test', but this host runs "
                "'6.1.0-other'; nothing was changed: build the update for "
                "this kernel with ksplice-create, or apply it on a host "
                "running '6.1.0-test'");
  ASSERT_EQ(r.phases.size(), 1u);
  EXPECT_EQ(r.phases[0].name, "verify");
  EXPECT_GT(r.phases[0].ns, 0u);
  host_->release.reset();
  ApplyReport u = apply();
  ASSERT_TRUE(u.failure);
  EXPECT_EQ(u.failure->message,
            "uname() failed; cannot tell which kernel is running");
  expectLog({});
  EXPECT_FALSE(pathExists(tmp_.path() + "/run"));  // not even locked
}

TEST_F(ApplyTest, BadPackage) {
  pkg_ = tmp_.path() + "/junk.tar.gz";
  ASSERT_TRUE(writeFile(pkg_, "junk"));
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_package");
  EXPECT_EQ(r.id, "");
  pkg_ = tmp_.path() + "/missing.tar.gz";
  ApplyReport m = apply();
  ASSERT_TRUE(m.failure);
  EXPECT_EQ(m.failure->token, "other");
  EXPECT_EQ(m.failure->message, "cannot read package '" + pkg_ +
                                    "': No such file or directory");
  expectLog({});
}

TEST_F(ApplyTest, MissingPrerequisiteLoadsNothing) {
  fields_.after = {hexOf('e')};
  pkg_ = package(fields_);
  for (bool dry : {false, true}) {
    ApplyReport r = dry ? dryRun() : apply();
    ASSERT_TRUE(r.failure);
    EXPECT_EQ(r.failure->token, "missing_prerequisite");
    EXPECT_EQ(r.failure->sentence(), toolCauseSentence("missing_prerequisite"));
  }
  expectLog({});
  expectKernelAsBefore();
}

TEST_F(ApplyTest, LockFails) {
  host_->fakeRecords.lockFails = Status::error("cannot lock '/run/.lock': x");
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->message, "cannot lock '/run/.lock': x");
  expectLog({});
}

TEST_F(ApplyTest, DryRunChecksAndPutsEverythingBack) {
  ApplyReport r = dryRun();
  EXPECT_EQ(r.outcome, ApplyReport::WouldApply);
  EXPECT_FALSE(r.failure);
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "write cmdline-fix/stage check", "unload ksplice_cmdline_fix",
             "unload ksplice"});
  expectKernelAsBefore();
  EXPECT_EQ(out(r), "dry run of update 'cmdline-fix': " + fields_.description +
                        "\n  would replace 'cmdline_proc_show' in vmlinux\n"
                        "  the check paused the kernel for 1.0 \u00b5s\n"
                        "update 'cmdline-fix' would apply now; nothing was "
                        "changed\n");
  EXPECT_EQ(r.match, std::vector<std::string>{"fs/proc/cmdline.o 117/117"});
  EXPECT_EQ(r.timings,
            (std::vector<std::string>{"collect 100", "match 200", "check 300"}));
}

TEST_F(ApplyTest, DryRunThatFindsTheCodeBusy) {
  LoaderAnswer &a = host_->loader.answers["cmdline-fix/check"];
  a.cause = "code_busy";
  a.conflicts = "12 cat cmdline_proc_show\n";
  ApplyReport r = dryRun(3);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->action, "check");
  expectLog({"load ksplice", "load ksplice_cmdline_fix",
             "write cmdline-fix/retries 3", "write cmdline-fix/stage check",
             "unload ksplice_cmdline_fix", "unload ksplice"});
  expectKernelAsBefore();
  EXPECT_EQ(err(r, true),
            "code_busy\nksplice-apply: error: code_busy: " +
                causeSentence("code_busy") +
                "\nksplice-apply: note: the loader's check (dry run) found "
                "that update 'cmdline-fix' would not apply now; nothing was "
                "changed\n"
                "ksplice-apply: note: task 'cat' (pid 12) is running "
                "'cmdline_proc_show'\n");
}

TEST_F(ApplyTest, DryRunOnAnOldCoreSaysSo) {
  host_->loader.answers["cmdline-fix/check"].cause = "bad_state";
  ApplyReport r = dryRun();
  ASSERT_TRUE(r.failure);
  ASSERT_EQ(r.failure->notes.size(), 1u);
  EXPECT_NE(r.failure->notes[0].find("a dry run needs a newer core"),
            std::string::npos);
  EXPECT_NE(err(r).find("\nksplice-apply: note: if the loaded core module is "
                        "older than this ksplice-apply"),
            std::string::npos);
  expectKernelAsBefore();
}

// The write succeeded but the cause says otherwise, or cannot be read: not
// "would apply".
TEST_F(ApplyTest, DryRunTrustsTheCauseNotTheWrite) {
  LoaderAnswer &a = host_->loader.answers["cmdline-fix/check"];
  a.cause = "no_match";
  a.writeOk = true;
  ApplyReport r = dryRun();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "no_match");
  expectKernelAsBefore();

  host_->loader.answers.clear();
  host_->loader.unreadable.insert("cmdline-fix/abort_cause");
  ApplyReport u = dryRun();
  ASSERT_TRUE(u.failure);
  EXPECT_EQ(u.failure->token, "other");
  EXPECT_EQ(u.failure->message,
            "cannot read '/fake/sys/kernel/ksplice/cmdline-fix/abort_cause': "
            "Permission denied (run as root)");
  expectKernelAsBefore();

  host_->loader.unreadable.clear();
  host_->loader.answers["cmdline-fix/check"].cause = "";
  host_->loader.answers["cmdline-fix/check"].writeOk = true;
  ApplyReport e = dryRun();
  ASSERT_TRUE(e.failure);
  EXPECT_EQ(e.failure->message, "the loader's check of update 'cmdline-fix' "
                                "left an empty abort cause; nothing was "
                                "changed");
  expectKernelAsBefore();
}

// Loaded by someone else: checked where it is, left loaded, retries put
// back.
TEST_F(ApplyTest, DryRunOfAnUpdateLoadedByOthers) {
  host_->addUpdate("cmdline-fix", "loaded", kPatch).retries = 5;
  ApplyReport r = dryRun(9);
  EXPECT_EQ(r.outcome, ApplyReport::WouldApply);
  expectLog({"write cmdline-fix/retries 9", "write cmdline-fix/stage check",
             "write cmdline-fix/retries 5"});
  EXPECT_EQ(host_->loader.updates["cmdline-fix"].retries, 5u);
  EXPECT_TRUE(host_->loaded.count(kPatch));

  // Retries that cannot be set: nothing is checked.
  host_->loader.unwritable.insert("cmdline-fix/retries");
  host_->log.clear();
  ApplyReport w = dryRun(9);
  EXPECT_EQ(w.outcome, ApplyReport::Failed);
  ASSERT_TRUE(w.failure);
  expectLog({"write cmdline-fix/retries 9"});
  EXPECT_TRUE(host_->loaded.count(kPatch));
}

TEST_F(ApplyTest, DryRunThatCannotRestoreRetriesWarns) {
  host_->addUpdate("cmdline-fix", "loaded", kPatch).retries = 5;
  host_->loader.writesAllowed["cmdline-fix/retries"] = 1;
  ApplyReport r = dryRun(9);
  EXPECT_EQ(r.outcome, ApplyReport::WouldApply);
  EXPECT_FALSE(r.failure);
  expectLog({"write cmdline-fix/retries 9", "write cmdline-fix/stage check",
             "write cmdline-fix/retries 5"});
  EXPECT_EQ(err(r), "ksplice-apply: warning: cannot open "
                    "'/fake/sys/kernel/ksplice/cmdline-fix/retries' for "
                    "writing: Permission denied (run as root)\n");
  EXPECT_EQ(printApply("ksplice-apply", r, false).status, 0);
}

TEST_F(ApplyTest, DryRunThatCannotUnloadFailsAfterPassing) {
  host_->unloadFails[kPatch] =
      Status::error("cannot unload module 'ksplice_cmdline_fix': it is in use");
  ApplyReport r = dryRun();
  EXPECT_EQ(r.outcome, ApplyReport::WouldApply);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->message,
            "the dry run of update 'cmdline-fix' could not unload the modules "
            "it loaded (see the warnings above); unload them with rmmod");
  Printed p = printApply("ksplice-apply", r, false);
  EXPECT_EQ(p.status, 1);
  EXPECT_NE(p.out.find("would apply now"), std::string::npos);
  EXPECT_EQ(p.err,
            "ksplice-apply: warning: cannot unload module "
            "'ksplice_cmdline_fix': it is in use\n"
            "ksplice-apply: error: " + r.failure->message + "\n");

  // After a failed check, the same is a note under the loader's error.
  host_->loader.answers["cmdline-fix/check"].cause = "no_match";
  host_->loaded.erase(kPatch);
  host_->loader.updates.clear();
  ApplyReport f = dryRun();
  ASSERT_TRUE(f.failure);
  EXPECT_EQ(f.failure->token, "no_match");
  EXPECT_EQ(f.failure->notes.back(), r.failure->message);
}

TEST_F(ApplyTest, Json) {
  ApplyReport r = apply();
  Printed p = applyJson(r);
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.err, "");
  EXPECT_EQ(p.out,
            "{\"outcome\":\"applied\",\"dry_run\":false,\"package\":\"" + pkg_ +
                "\",\"id\":\"cmdline-fix\",\"description\":\"fix /proc/cmdline: "
                "show the \\\"real\\\" command line\",\"signer\":\"" +
                keyFingerprint(keys_.privateKey).value() +
                "\",\"signature_verified\":true,\"token\":null,"
                "\"sentence\":null,\"message\":null,\"detail\":[],"
                "\"conflicts\":[],\"conflicts_truncated\":false,\"notes\":[],"
                "\"functions\":[{\"name\":\"cmdline_proc_show\",\"object\":"
                "\"vmlinux\"}],\"pause_ns\":1000,\"match\":[\"fs/proc/cmdline.o "
                "117/117\"],\"loader_timings\":[{\"name\":\"collect\",\"ns\":100},"
                "{\"name\":\"match\",\"ns\":200},{\"name\":\"stop\",\"ns\":300}],"
                "\"phases\":[{\"name\":\"verify\",\"ns\":1000},{\"name\":\"lock\","
                "\"ns\":1000},{\"name\":\"prerequisites\",\"ns\":1000},{\"name\":"
                "\"load_core\",\"ns\":1000},{\"name\":\"load_patch\",\"ns\":1000},"
                "{\"name\":\"apply\",\"ns\":1000},{\"name\":\"record\",\"ns\":"
                "1000},{\"name\":\"persist\",\"ns\":1000}],\"warnings\":[]}\n");
}

TEST_F(ApplyTest, JsonOfAFailure) {
  LoaderAnswer &a = host_->loader.answers["cmdline-fix/apply"];
  a.cause = "code_busy";
  a.conflicts = "4321 my worker cmdline_proc_show\n9 t (unreliable-stack)\n";
  a.detail = "line one\nline \"two\"\n";
  ApplyReport r = apply();
  Printed p = applyJson(r);
  EXPECT_EQ(p.status, 1);
  EXPECT_EQ(p.err, "");
  std::string want =
      "\"outcome\":\"failed\",\"dry_run\":false,\"package\":\"" + pkg_ +
      "\",\"id\":\"cmdline-fix\",\"description\":\"fix /proc/cmdline: show the "
      "\\\"real\\\" command line\",\"signer\":\"" +
      keyFingerprint(keys_.privateKey).value() +
      "\",\"signature_verified\":true,\"token\":\"code_busy\",\"sentence\":\"" +
      causeSentence("code_busy") + "\",\"message\":\"code_busy: " +
      causeSentence("code_busy") +
      "\",\"detail\":[\"line one\",\"line \\\"two\\\"\"],\"conflicts\":["
      "{\"pid\":4321,\"comm\":\"my worker\",\"state\":\"in_function\","
      "\"function\":\"cmdline_proc_show\"},{\"pid\":9,\"comm\":\"t\",\"state\":"
      "\"unreliable_stack\",\"function\":null}],\"conflicts_truncated\":false,"
      "\"notes\":[],\"functions\":[],\"pause_ns\":1000,";
  EXPECT_EQ(p.out.substr(1, want.size()), want) << p.out;
  EXPECT_NE(p.out.find(",{\"name\":\"rollback\",\"ns\":"), std::string::npos);

  // Before the package is known: null id, the tool's own token.
  pkg_ = tmp_.path() + "/junk.tar.gz";
  ASSERT_TRUE(writeFile(pkg_, "junk"));
  Printed j = applyJson(apply());
  EXPECT_EQ(j.out.rfind("{\"outcome\":\"failed\",\"dry_run\":false,\"package\":"
                        "\"" + pkg_ + "\",\"id\":null,\"description\":null,"
                        "\"signer\":null,\"signature_verified\":false,\"token\":\"bad_package\",\"sentence\":\"" +
                            causeSentence("bad_package") + "\",\"message\":\"'",
                        0),
            0u)
      << j.out;
}

// --- Signatures (update/signature.h) and module signatures ----------------

namespace {

// The package's tar, gunzipped.
std::string tarOf(const std::string &pkg) {
  Command c{{"gzip", "-dc"}};
  c.stdinPath = pkg;
  auto r = runProcess(c);
  EXPECT_TRUE(r && r->status == 0);
  return r ? r->output : "";
}

void writeGzip(const std::string &tar, const std::string &out) {
  Command c{{"gzip", "-n", "-c"}};
  c.input = tar;
  c.stdoutPath = out;
  auto r = runProcess(c);
  ASSERT_TRUE(r && r->status == 0);
}

// Offset and size of each member's data in a ustar archive, by name.
std::map<std::string, std::pair<size_t, size_t>> members(const std::string &tar) {
  std::map<std::string, std::pair<size_t, size_t>> out;
  for (size_t off = 0; off + 512 <= tar.size();) {
    std::string name(tar.c_str() + off);
    if (name.empty())
      break;
    size_t size = std::stoul(std::string(tar, off + 124, 11), nullptr, 8);
    out[name.substr(name.find('/') + 1)] = {off + 512, size};
    off += 512 + (size + 511) / 512 * 512;
  }
  return out;
}

}  // namespace

TEST_F(ApplyTest, SignedByATrustedKeyApplies) {
  ApplyReport r = apply();
  ASSERT_FALSE(r.failure) << r.failure->message;
  EXPECT_TRUE(r.signatureVerified);
  EXPECT_EQ(r.signer, keyFingerprint(keys_.privateKey).value());
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(ApplyTest, UnsignedIsRefusedBeforeLoadingUnlessAllowed) {
  pkg_ = tmp_.path() + "/unsigned.tar.gz";
  ASSERT_TRUE(writePackage(in_, fields_, pkg_));
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "unsigned_package");
  EXPECT_NE(r.failure->message.find("--allow-unsigned"), std::string::npos);
  expectLog({});
  expectKernelAsBefore();

  ApplyOptions o = options(false, 0);
  o.trust.allowUnsigned = true;
  r = applyUpdate(*host_, o);
  ASSERT_FALSE(r.failure) << r.failure->message;
  EXPECT_FALSE(r.signatureVerified);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(err(r).find("warning: --allow-unsigned: loading an UNSIGNED package"),
            std::string::npos) << err(r);
}

TEST_F(ApplyTest, NoTrustedKeysAppliesWithAWarning) {
  ApplyOptions o = options(false, 0);
  o.trust.keysDir = tmp_.path() + "/no-keys";
  ApplyReport r = applyUpdate(*host_, o);
  ASSERT_FALSE(r.failure) << r.failure->message;
  EXPECT_FALSE(r.signatureVerified);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("no trusted keys are installed"), std::string::npos);
}

TEST_F(ApplyTest, AnUntrustedSignerIsRefused) {
  ASSERT_TRUE(makeDirectories(tmp_.path() + "/other"));
  TestKeys other = writeTestKeys(tmp_.path() + "/other", 2);
  ASSERT_NE(keyFingerprint(other.privateKey).value(),
            keyFingerprint(keys_.privateKey).value());
  pkg_ = tmp_.path() + "/other.tar.gz";
  ASSERT_TRUE(writePackage(in_, fields_, pkg_, signerFor(other.privateKey)));
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "untrusted_package");
  EXPECT_NE(r.failure->message.find(keyFingerprint(other.privateKey).value()),
            std::string::npos);
  expectLog({});
  expectKernelAsBefore();
}

TEST_F(ApplyTest, ASignatureByAnotherKeyUnderTheTrustedKeysNameIsRefused) {
  ASSERT_TRUE(makeDirectories(tmp_.path() + "/other"));
  TestKeys other = writeTestKeys(tmp_.path() + "/other", 2);
  std::string trusted = keyFingerprint(keys_.privateKey).value();
  std::string wrong = keyFingerprint(other.privateKey).value();
  auto forged = [&](std::string_view manifest) -> Result<std::string> {
    auto sig = signManifest(manifest, other.privateKey);
    if (!sig)
      return sig;
    std::string s = *sig;
    s.replace(s.find(wrong), wrong.size(), trusted);
    return s;
  };
  pkg_ = tmp_.path() + "/forged.tar.gz";
  ASSERT_TRUE(writePackage(in_, fields_, pkg_, forged));
  ApplyOptions o = options(false, 0);
  o.trust.allowUnsigned = true;  // does not let a bad signature through
  ApplyReport r = applyUpdate(*host_, o);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_signature");
  expectLog({});
  expectKernelAsBefore();
}

// One changed byte in any file of the package (the manifest, its
// signature, a module, the patch) is refused before anything is loaded.
TEST_F(ApplyTest, AChangedByteAnywhereIsRefused) {
  std::string tar = tarOf(pkg_);
  auto files = members(tar);
  ASSERT_EQ(files.size(), 6u);  // the directory, 4 files, manifest.sig
  int tried = 0;
  for (const auto &[name, span] : files) {
    auto [off, size] = span;
    for (size_t at : {size_t(0), size / 2, size ? size - 2 : 0}) {
      if (at >= size)
        continue;
      std::string bad = tar;
      bad[off + at] ^= 0x20;
      pkg_ = tmp_.path() + "/flip.tar.gz";
      writeGzip(bad, pkg_);
      ApplyReport r = apply();
      ASSERT_TRUE(r.failure) << name << "+" << at << " was accepted";
      EXPECT_TRUE(r.failure->token == "bad_package" ||
                  r.failure->token == "bad_signature" ||
                  r.failure->token == "untrusted_package")
          << name << "+" << at << ": " << r.failure->token;
      expectLog({});
      expectKernelAsBefore();
      tried++;
    }
  }
  EXPECT_GE(tried, 12);
}

TEST_F(ApplyTest, UnsignedModulesOnAnEnforcingKernelAreRefusedBeforeLoading) {
  host_->sigEnforcement = "module.sig_enforce is set";
  ApplyReport r = apply();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "unsigned_module");
  EXPECT_NE(r.failure->message.find("'ksplice.ko' cannot be loaded: "
                                    "module.sig_enforce is set"),
            std::string::npos) << r.failure->message;
  expectLog({});
  expectKernelAsBefore();

  // Signed modules (the kernel's marker at the end) go on to load.
  const std::string marker = "~Module signature appended~\n";
  ASSERT_TRUE(writeFile(in_ + "/ksplice.ko", ko("ksplice") + marker));
  ASSERT_TRUE(writeFile(in_ + "/ksplice_cmdline_fix.ko",
                        ko("ksplice_cmdline_fix") + marker));
  pkg_ = package(fields_);
  r = apply();
  EXPECT_FALSE(r.failure) << r.failure->message;
}
