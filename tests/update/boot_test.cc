// The updates kept for reboots (update/store.h) and ksplice-apply --boot
// (update/boot.h) in-process, on fake hosts that share a state directory:
// apply keeps the package (not with persist off, a dry run or a failure),
// undo drops it, and after a "reboot" (a new host: nothing loaded, no
// records) --boot applies those of the running kernel in their order,
// goes on after a failure, and lists but leaves alone those of other
// kernels.
#include "boot.h"

#include <gtest/gtest.h>

#include <memory>

#include "cli.h"
#include "fake_host.h"
#include "fs.h"
#include "ko_image.h"
#include "package.h"
#include "test_keys.h"
#include "test_util.h"
#include "undo.h"

using namespace ksplice;
using namespace ksplice::test;

namespace {

const std::string kRelease = "6.1.0-test";

class BootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("boot_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    state_ = tmp_.path() + "/state";
    keys_ = writeTestKeys(tmp_.path());
    reboot();
  }

  // A fresh host (nothing loaded, /run empty) on the same /var/lib/ksplice.
  void reboot() {
    std::string run = tmp_.path() + "/run" + std::to_string(boots_++);
    host_ = std::make_unique<FakeHost>(run, state_);
    for (const char *id : {"first", "second", "third"})
      host_->registers[std::string("ksplice_") + id] = id;
  }

  // The package of update `id` for `release`.
  std::string package(const std::string &id,
                      const std::string &release = kRelease) {
    std::string in = tmp_.path() + "/in-" + id + "-" + release;
    EXPECT_TRUE(makeDirectories(in));
    Manifest m = sampleFields(id);
    m.kernelRelease = release;
    EXPECT_TRUE(writeFile(in + "/ksplice.ko",
                          makeKo("name=ksplice" + std::string(1, '\0'))));
    EXPECT_TRUE(writeFile(in + "/" + m.patchModule,
                          makeKo("name=ksplice_" + id + std::string(1, '\0'))));
    EXPECT_TRUE(writeFile(in + "/patch", "--- a/" + id + "\n+++ b\n"));
    std::string out = tmp_.path() + "/" + id + "-" + release + ".tar.gz";
    Status s = writePackage(in, m, out, signerFor(keys_.privateKey));
    EXPECT_TRUE(s) << s.message();
    return out;
  }

  ApplyReport apply(const std::string &pkg, bool persist = true,
                    bool dryRun = false) {
    ApplyOptions o;
    o.package = pkg;
    o.persist = persist;
    o.dryRun = dryRun;
    o.trust.keysDir = keys_.trustedDir;
    return applyUpdate(*host_, o);
  }

  BootReport boot() { return bootUpdates(*host_, {keys_.trustedDir, false}); }

  std::vector<std::string> kept(const std::string &release = kRelease) {
    std::vector<std::string> ids;
    for (const StoredUpdate &u : host_->store().list(release))
      ids.push_back(u.id);
    return ids;
  }

  std::vector<std::string> applied(const BootReport &r) {
    std::vector<std::string> ids;
    for (const ApplyReport &u : r.updates)
      if (!u.failure)
        ids.push_back(u.id);
    return ids;
  }

  TempDir tmp_;
  std::string state_;
  int boots_ = 0;
  std::unique_ptr<FakeHost> host_;
  TestKeys keys_;
};

TEST_F(BootTest, ApplyKeepsThePackageInOrder) {
  std::string first = package("first"), second = package("second");
  ASSERT_FALSE(apply(second).failure);
  ASSERT_FALSE(apply(first).failure);
  EXPECT_EQ(kept(), (std::vector<std::string>{"second", "first"}));
  auto list = host_->store().list(kRelease);
  EXPECT_EQ(list[0].path, state_ + "/" + kRelease + "/000001-second.tar.gz");
  EXPECT_EQ(*readFile(list[0].path), *readFile(second));
  // Applied again (already applied): it keeps its place.
  EXPECT_EQ(apply(second).outcome, ApplyReport::AlreadyApplied);
  EXPECT_EQ(kept(), (std::vector<std::string>{"second", "first"}));
}

TEST_F(BootTest, NothingKeptWithoutPersistOnDryRunOrFailure) {
  std::string first = package("first");
  EXPECT_EQ(apply(first, true, true).outcome, ApplyReport::WouldApply);
  EXPECT_TRUE(kept().empty());
  host_->loader.answers["first/apply"].cause = "no_match";
  EXPECT_TRUE(apply(first).failure);
  EXPECT_TRUE(kept().empty());
  host_->loader.answers.clear();
  EXPECT_FALSE(apply(first, false).failure);
  EXPECT_TRUE(kept().empty());
  EXPECT_FALSE(pathExists(state_));
}

TEST_F(BootTest, UndoForgetsIt) {
  ASSERT_FALSE(apply(package("first")).failure);
  ASSERT_FALSE(apply(package("second")).failure);
  UndoReport u = undoUpdates(*host_, {"second", false});
  ASSERT_FALSE(u.firstFailure());
  EXPECT_EQ(kept(), (std::vector<std::string>{"first"}));
}

TEST_F(BootTest, KeptCopyThatCannotBeWrittenIsAWarning) {
  ASSERT_TRUE(writeFile(state_, "not a directory"));
  ApplyReport r = apply(package("first"));
  EXPECT_EQ(r.outcome, ApplyReport::Applied);
  EXPECT_FALSE(r.failure);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("it will not be applied again after a reboot"),
            std::string::npos)
      << r.warnings[0];
}

TEST_F(BootTest, BootAppliesThemAgainInOrder) {
  ASSERT_FALSE(apply(package("second")).failure);
  ASSERT_FALSE(apply(package("first")).failure);
  reboot();
  EXPECT_TRUE(host_->loaded.empty());
  BootReport r = boot();
  EXPECT_EQ(r.release, kRelease);
  EXPECT_EQ(r.failed(), 0u);
  EXPECT_EQ(applied(r), (std::vector<std::string>{"second", "first"}));
  EXPECT_EQ(host_->loader.updates["second"].stage, "applied");
  EXPECT_EQ(host_->loader.updates["first"].stage, "applied");
  // The patch modules went in in that order, and each is recorded.
  std::vector<std::string> loads;
  for (const std::string &l : host_->log)
    if (l.rfind("load ksplice_", 0) == 0)
      loads.push_back(l);
  EXPECT_EQ(loads, (std::vector<std::string>{"load ksplice_second",
                                             "load ksplice_first"}));
  EXPECT_EQ(host_->records().list().size(), 2u);
  EXPECT_EQ(kept(), (std::vector<std::string>{"second", "first"}));
  Printed p = printBoot("ksplice-apply", r);
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.out.rfind("boot: 2 updates kept for kernel '6.1.0-test'\n", 0), 0u)
      << p.out;
  EXPECT_NE(p.out.find("boot: 2 applied, 0 failed\n"), std::string::npos);
  // Again: nothing changes.
  BootReport again = boot();
  EXPECT_EQ(again.failed(), 0u);
  for (const ApplyReport &u : again.updates)
    EXPECT_EQ(u.outcome, ApplyReport::AlreadyApplied);
}

TEST_F(BootTest, BootGoesOnAfterAFailure) {
  for (const char *id : {"first", "second", "third"})
    ASSERT_FALSE(apply(package(id)).failure);
  reboot();
  host_->loader.answers["second/apply"].cause = "no_match";
  BootReport r = boot();
  EXPECT_EQ(r.failed(), 1u);
  EXPECT_EQ(applied(r), (std::vector<std::string>{"first", "third"}));
  EXPECT_EQ(host_->loaded.count("ksplice_second"), 0u);
  Printed p = printBoot("ksplice-apply", r);
  EXPECT_EQ(p.status, 1);
  EXPECT_NE(p.out.find("ksplice-apply: error: no_match: "), std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("boot: 2 applied, 1 failed\n"), std::string::npos);
  EXPECT_EQ(p.err, "ksplice-apply: error: 1 of 3 updates kept for kernel "
                   "'6.1.0-test' did not apply (see above)\n");
  // Still kept: the next boot tries it again.
  EXPECT_EQ(kept().size(), 3u);
}

// An update that must find its module loaded waits at boot: not a
// failure (status 3, which ksplice-boot.service takes as success), and its
// module is marked for the udev rule that runs --boot again when it loads.
TEST_F(BootTest, AnUpdateWhoseModuleIsNotLoadedWaitsForIt) {
  for (const char *id : {"first", "second", "third"})
    ASSERT_FALSE(apply(package(id)).failure);
  reboot();
  LoaderAnswer &a = host_->loader.answers["second/apply"];
  a.cause = "target_not_loaded";
  a.detail = "unit 'fs/afs/volume.o' has table entries that refer to "
             "'afs_vl_get_capabilities' of module 'kafs', which the kernel "
             "links when the patch module loads; load 'kafs' first\n";
  BootReport r = boot();
  EXPECT_EQ(r.failed(), 0u);
  EXPECT_EQ(r.waiting(), 1u);
  EXPECT_EQ(applied(r), (std::vector<std::string>{"first", "third"}));
  std::string marks = host_->records().waitingDir();
  EXPECT_TRUE(pathExists(marks + "/kafs"));
  Printed p = printBoot("ksplice-apply", r);
  EXPECT_EQ(p.status, kExitWaiting);
  EXPECT_EQ(p.err, "");
  EXPECT_NE(p.out.find("boot: 'second' waits: module 'kafs' is not loaded "
                       "(the update must find it loaded); it is applied "
                       "when the module loads\n  unit 'fs/afs/volume.o'"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("boot: 2 applied, 1 waiting for a module, 0 failed\n"),
            std::string::npos)
      << p.out;
  // The module loads: the udev rule runs --boot again, which applies it
  // and leaves the others; nothing waits any more.
  host_->loader.answers.erase("second/apply");
  r = boot();
  EXPECT_EQ(r.failed(), 0u);
  EXPECT_EQ(r.waiting(), 0u);
  EXPECT_FALSE(pathExists(marks + "/kafs"));
  EXPECT_EQ(printBoot("ksplice-apply", r).status, 0);
  for (const char *id : {"first", "second", "third"})
    EXPECT_EQ(host_->loaded.count(std::string("ksplice_") + id), 1u) << id;
}

TEST_F(BootTest, OtherKernelsAreListedAndLeftAlone) {
  ASSERT_FALSE(apply(package("first")).failure);
  // Kept on an earlier kernel: the same store, booted on another release.
  host_->release = "6.1.0-old";
  ASSERT_FALSE(apply(package("second", "6.1.0-old")).failure);
  host_->release = kRelease;
  reboot();
  BootReport r = boot();
  EXPECT_EQ(applied(r), (std::vector<std::string>{"first"}));
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].release, "6.1.0-old");
  EXPECT_EQ(r.skipped[0].ids, (std::vector<std::string>{"second"}));
  EXPECT_EQ(host_->loaded.count("ksplice_second"), 0u);
  Printed p = printBoot("ksplice-apply", r);
  EXPECT_EQ(p.status, 0);
  EXPECT_NE(p.out.find("ksplice-apply: note: left alone, kept for kernel "
                       "'6.1.0-old', not this one: 'second'"),
            std::string::npos)
      << p.out;
  EXPECT_EQ(kept("6.1.0-old"), (std::vector<std::string>{"second"}));
}

TEST_F(BootTest, APackageOfAnotherKernelInThisKernelsPlaceFails) {
  ASSERT_TRUE(makeDirectories(state_ + "/" + kRelease));
  ASSERT_TRUE(writeFile(state_ + "/" + kRelease + "/000001-first.tar.gz",
                        *readFile(package("first", "6.1.0-other"))));
  BootReport r = boot();
  EXPECT_EQ(r.failed(), 1u);
  ASSERT_EQ(r.updates.size(), 1u);
  EXPECT_NE(r.updates[0].failure->message.find("is for kernel '6.1.0-other'"),
            std::string::npos);
  EXPECT_TRUE(host_->loaded.empty());
}

TEST_F(BootTest, UndoAfterARebootForgetsAKeptUpdateThatIsNotLoaded) {
  ASSERT_FALSE(apply(package("first")).failure);
  reboot();
  UndoReport u = undoUpdates(*host_, {"first", false});
  ASSERT_FALSE(u.firstFailure()) << u.firstFailure()->message;
  EXPECT_EQ(u.updates[0].outcome, UndoResult::StaleRecordRemoved);
  EXPECT_TRUE(kept().empty());
  EXPECT_TRUE(host_->store().releases().empty());
}

}  // namespace
