// A series of updates (update/series.h) in-process on a fake host: the
// index read and checked, applied in order skipping what is applied, a stop
// at the first failure (with the updates before it left applied, or taken
// out again with undoOnFailure), a dry run that checks what it can, and the
// effective level.
#include "series.h"

#include <gtest/gtest.h>

#include <memory>

#include "cli.h"
#include "fake_host.h"
#include "fs.h"
#include "ko_image.h"
#include "package.h"
#include "sha256.h"
#include "test_keys.h"
#include "test_util.h"

using namespace ksplice;
using namespace ksplice::test;

namespace {

const std::string kRelease = "6.1.0-test";

std::string patchOf(const std::string &id) {
  return "--- a/" + id + "\n+++ b\n";
}

class SeriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("series_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    keys_ = writeTestKeys(tmp_.path());
    dir_ = tmp_.path() + "/series";
    ASSERT_TRUE(makeDirectories(dir_));
    host_ = std::make_unique<FakeHost>(tmp_.path() + "/run",
                                       tmp_.path() + "/state");
    series_.dir = dir_;
    series_.from = "6.1.176-1";
    series_.to = "6.1.187-1";
    series_.kernelRelease = kRelease;
    // "b" is built on "a" (--after), as an update touching the same unit.
    add("a");
    add("b", {"a"});
    add("c");
    writeIndex();
  }

  void add(const std::string &id, const std::vector<std::string> &after = {}) {
    std::string in = tmp_.path() + "/in-" + id;
    ASSERT_TRUE(makeDirectories(in));
    Manifest m = sampleFields(id);
    m.kernelRelease = kRelease;
    for (const std::string &a : after)
      m.after.push_back(sha256Hex(patchOf(a)));
    ASSERT_TRUE(writeFile(in + "/ksplice.ko",
                          makeKo("name=ksplice" + std::string(1, '\0'))));
    ASSERT_TRUE(writeFile(in + "/" + m.patchModule,
                          makeKo("name=ksplice_" + id + std::string(1, '\0'))));
    ASSERT_TRUE(writeFile(in + "/patch", patchOf(id)));
    std::string file = std::to_string(series_.updates.size() + 1) + "-" + id +
                       ".tar.gz";
    Status s = writePackage(in, m, dir_ + "/" + file,
                            signerFor(keys_.privateKey));
    ASSERT_TRUE(s) << s.message();
    auto digest = sha256File(dir_ + "/" + file);
    ASSERT_TRUE(digest);
    series_.updates.push_back({id, file, *digest});
    host_->registers["ksplice_" + id] = id;
  }

  void writeIndex() {
    ASSERT_TRUE(writeFile(dir_ + "/series", formatSeries(series_)));
  }

  SeriesReport run(bool dryRun = false, bool undoOnFailure = false) {
    SeriesOptions o;
    o.dir = dir_;
    o.apply.dryRun = dryRun;
    o.undoOnFailure = undoOnFailure;
    o.apply.persist = false;
    o.apply.trust.keysDir = keys_.trustedDir;
    return applySeries(*host_, o);
  }

  std::string outcomes(const SeriesReport &r) {
    static const char *names[] = {"already", "applied", "would", "unchecked",
                                  "failed", "waiting"};
    std::string s;
    for (const SeriesStep &st : r.steps)
      s += (s.empty() ? "" : " ") + st.id + ":" + names[st.outcome];
    return s;
  }

  std::string level() {
    auto l = seriesLevel(*host_, series_);
    EXPECT_TRUE(l) << l.message();
    return l->effective + " " + std::to_string(l->applied) + "/" +
           std::to_string(l->total);
  }

  TempDir tmp_;
  TestKeys keys_;
  std::string dir_;
  Series series_;
  std::unique_ptr<FakeHost> host_;
};

TEST_F(SeriesTest, IndexRoundTrips) {
  auto s = readSeries(dir_);
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(formatSeries(*s), formatSeries(series_));
}

TEST_F(SeriesTest, BadIndexesAreRefusedWithTheirLine) {
  const std::string d = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::string head = "ksplice-series 1\nfrom x\nto y\nkernel-release r\n";
  struct Case { std::string text, message; } cases[] = {
      {"ksplice-series 2\n", "series:1: series format 2 is not known"},
      {head + "update a ../a.tar.gz " + d + "\n",
       "series:5: file '../a.tar.gz' is not a plain file name"},
      {head + "update a a.tar.gz " + d + "\nupdate a b.tar.gz " + d + "\n",
       "series:6: update 'a' is listed twice"},
      {head + "update a a.tar.gz ABC\n", "series:5: 'ABC' is not a SHA-256"},
      {head + "frob 1\n", "series:5: unknown item 'frob'"},
      {head, "series: no 'update' line"},
      {"ksplice-series 1\nfrom x\nupdate a a.tar.gz " + d + "\n",
       "series: no 'to' line"},
  };
  for (const Case &c : cases) {
    ASSERT_TRUE(writeFile(dir_ + "/series", c.text));
    auto s = readSeries(dir_);
    ASSERT_FALSE(s) << c.text;
    EXPECT_NE(s.message().find(c.message), std::string::npos)
        << s.message() << "\nwanted: " << c.message;
  }
}

TEST_F(SeriesTest, AppliesInOrderAndSaysTheLevel) {
  EXPECT_EQ(level(), "6.1.176-1 0/3");
  SeriesReport r = run();
  ASSERT_FALSE(r.failure) << r.failure->message;
  EXPECT_EQ(outcomes(r), "a:applied b:applied c:applied");
  EXPECT_EQ(level(), "6.1.187-1 3/3");
  // Run again: nothing to do.
  r = run();
  EXPECT_EQ(outcomes(r), "a:already b:already c:already");
}

TEST_F(SeriesTest, AnApplyRecordsTheSeriesForPlainView) {
  EXPECT_TRUE(recordedSeries(*host_).empty());
  run(true);  // a dry run records nothing
  EXPECT_TRUE(recordedSeries(*host_).empty());
  host_->loader.answers["b/apply"].cause = "code_busy";
  run();  // recorded before the first update, so a stop still shows
  run();  // once, however often it runs
  std::vector<Series> all = recordedSeries(*host_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(formatSeries(all[0]), formatSeries(series_));
  auto l = seriesLevel(*host_, all[0]);
  ASSERT_TRUE(l) << l.message();
  EXPECT_EQ(seriesLevelLine(all[0], *l),
            "series 6.1.176-1 -> 6.1.187-1: 1 of 3 updates applied; "
            "effective level 6.1.176-1\n");
}

TEST_F(SeriesTest, PlainViewJsonHasTheLevelOfEachRecordedSeries) {
  EXPECT_EQ(viewJson({}, nullptr).out, "{\"updates\":[]}\n");  // --id
  std::vector<SeriesAt> none;
  EXPECT_EQ(viewJson({}, &none).out, "{\"updates\":[],\"series\":[]}\n");
  host_->loader.answers["b/apply"].cause = "code_busy";
  run();
  std::vector<SeriesAt> levels;
  for (Series &s : recordedSeries(*host_)) {
    auto l = seriesLevel(*host_, s);
    ASSERT_TRUE(l) << l.message();
    levels.push_back({s, *l});
  }
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_EQ(seriesLevelJson(levels[0].series, levels[0].level),
            "{\"from\":\"6.1.176-1\",\"to\":\"6.1.187-1\","
            "\"kernel_release\":\"" + series_.kernelRelease + "\","
            "\"applied\":1,\"total\":3,\"effective\":\"6.1.176-1\","
            "\"missing\":[\"b\",\"c\"]}");
  std::string out = viewJson({}, &levels).out;
  EXPECT_NE(out.find(",\"series\":[{\"from\":\"6.1.176-1\""), std::string::npos)
      << out;
}

TEST_F(SeriesTest, StopsAtTheFirstFailureLeavingTheOnesBefore) {
  host_->loader.answers["b/apply"].cause = "code_busy";
  SeriesReport r = run();
  EXPECT_EQ(outcomes(r), "a:applied b:failed");
  ASSERT_NE(r.failedStep(), nullptr);
  EXPECT_EQ(r.failedStep()->apply->failure->token, "code_busy");
  EXPECT_TRUE(r.undone.empty());
  EXPECT_EQ(level(), "6.1.176-1 1/3");
  // The cause gone, a second run finishes the series.
  host_->loader.answers.erase("b/apply");
  r = run();
  EXPECT_EQ(outcomes(r), "a:already b:applied c:applied");
}

TEST_F(SeriesTest, UndoOnFailureTakesThisRunsUpdatesOut) {
  host_->loader.answers["c/apply"].cause = "no_match";
  SeriesReport r = run(false, true);
  EXPECT_EQ(outcomes(r), "a:applied b:applied c:failed");
  ASSERT_EQ(r.undone.size(), 2u);
  EXPECT_EQ(r.undone[0].id, "b");  // newest first
  EXPECT_EQ(r.undone[1].id, "a");
  EXPECT_EQ(level(), "6.1.176-1 0/3");
}

TEST_F(SeriesTest, DryRunChecksWhatItCanAndChangesNothing) {
  SeriesReport r = run(true);
  ASSERT_FALSE(r.failure) << r.failure->message;
  // b builds on a, which a dry run does not apply.
  EXPECT_EQ(outcomes(r), "a:would b:unchecked c:would");
  EXPECT_EQ(level(), "6.1.176-1 0/3");
  EXPECT_TRUE(host_->loaded.empty());
  // With a applied (b refused for now), b is checked for real.
  host_->loader.answers["b/apply"].cause = "code_busy";
  EXPECT_EQ(outcomes(run()), "a:applied b:failed");
  host_->loader.answers["b/check"].cause = "no_match";
  EXPECT_EQ(outcomes(run(true)), "a:already b:failed");
  host_->loader.answers.erase("b/check");
  EXPECT_EQ(outcomes(run(true)), "a:already b:would c:would");
  EXPECT_EQ(level(), "6.1.176-1 1/3");
}

// The core refuses to load a's patch module (its tables need the module
// kafs, not loaded), as loadrelocs.c does.
void refuseLoadForKafs(FakeHost &host, const std::string &id) {
  host.loadFails["ksplice_" + id] =
      Status::error("cannot load module: No such device (see dmesg)");
  host.loader.refusedLoad =
      "ksplice_" + id + " target_not_loaded\nunit 'fs/afs/volume.o' has "
      "table entries that refer to '__SCT__tp_func_afs_volume' of module "
      "'kafs', which the kernel links when the patch module loads; load "
      "'kafs' first\n";
}

// An update that must find its module loaded waits, and so does b, built
// on it; c, independent, is applied.  Once the module is loaded, a second
// run applies the two.
TEST_F(SeriesTest, AnUpdateWhoseModuleIsNotLoadedWaitsAndTheRestApply) {
  refuseLoadForKafs(*host_, "a");
  SeriesReport r = run();
  EXPECT_EQ(outcomes(r), "a:waiting b:waiting c:applied");
  EXPECT_EQ(r.failedStep(), nullptr);
  ASSERT_EQ(r.waiting().size(), 2u);
  EXPECT_EQ(r.steps[0].module, "kafs");
  EXPECT_FALSE(r.steps[0].onWaiting);
  EXPECT_TRUE(r.steps[1].onWaiting);
  EXPECT_EQ(level(), "6.1.176-1 1/3");

  Printed p = printSeries("ksplice-apply", r, false);
  EXPECT_EQ(p.status, kExitWaiting);
  EXPECT_NE(p.out.find("[1/3] a: waiting for module 'kafs' to be loaded"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("[2/3] b: waiting: it builds on an update of the "
                       "series that waits\n[3/3] c: applied"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("fixes of 6.1.187-1 but those of the 2 updates "
                       "waiting"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.err.find("warning: 2 updates of the series wait for modules "
                       "that are not loaded: 'kafs' (a); "),
            std::string::npos)
      << p.err;
  EXPECT_NE(p.err.find("\n  a: unit 'fs/afs/volume.o' has table entries "
                       "that refer to '__SCT__tp_func_afs_volume'"),
            std::string::npos)
      << p.err;
  EXPECT_EQ(p.err.find("error"), std::string::npos) << p.err;

  host_->loadFails.clear();
  r = run();
  EXPECT_EQ(outcomes(r), "a:applied b:applied c:already");
  EXPECT_EQ(printSeries("ksplice-apply", r, false).status, 0);
  EXPECT_EQ(level(), "6.1.187-1 3/3");
}

// A hook's refusal (targets.c) names its module the same way; a dry run
// says the same of it.
TEST_F(SeriesTest, DryRunSaysWhichUpdatesWouldWait) {
  host_->loader.answers["c/check"].cause = "target_not_loaded";
  host_->loader.answers["c/check"].detail =
      "module 'tlclk': a unit with hooks patches it, and hooks run only at "
      "apply; load 'tlclk' first\n";
  SeriesReport r = run(true);
  EXPECT_EQ(outcomes(r), "a:would b:unchecked c:waiting");
  EXPECT_EQ(r.steps[2].module, "tlclk");

  Printed p = printSeries("ksplice-apply", r, false);
  EXPECT_EQ(p.status, kExitWaiting);
  EXPECT_NE(p.out.find("the series would apply now, but for the updates "
                       "waiting; nothing was changed"),
            std::string::npos)
      << p.out;
  EXPECT_TRUE(host_->loaded.empty());

  // A core that does not name the module: the step still waits.
  host_->loader.answers["c/check"].detail = "something else\n";
  r = run(true);
  EXPECT_EQ(outcomes(r), "a:would b:unchecked c:waiting");
  p = printSeries("ksplice-apply", r, false);
  EXPECT_NE(p.out.find("c: waiting for a module (see the loader's detail) to "
                       "be loaded"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.err.find("not loaded: ? (c)"), std::string::npos) << p.err;
}

// A real failure after an update that waits still stops the series.
TEST_F(SeriesTest, AFailureAfterAWaitingUpdateStillStops) {
  refuseLoadForKafs(*host_, "a");
  host_->loader.answers["c/apply"].cause = "no_match";
  SeriesReport r = run();
  EXPECT_EQ(outcomes(r), "a:waiting b:waiting c:failed");
  Printed p = printSeries("ksplice-apply", r, false);
  EXPECT_EQ(p.status, 1);
  EXPECT_NE(p.err.find("the series stopped at update 'c'"), std::string::npos)
      << p.err;
}

TEST_F(SeriesTest, DryRunStillFailsOnARealRefusal) {
  host_->loader.answers["a/check"].cause = "no_match";
  SeriesReport r = run(true);
  EXPECT_EQ(outcomes(r), "a:failed");
}

TEST_F(SeriesTest, AnotherKernelOrAChangedPackageLoadsNothing) {
  host_->release = "6.1.0-other";
  SeriesReport r = run();
  ASSERT_TRUE(r.failure);
  EXPECT_NE(r.failure->message.find("is for kernel '6.1.0-test', this one is "
                                    "'6.1.0-other'"),
            std::string::npos)
      << r.failure->message;
  EXPECT_TRUE(r.steps.empty());

  host_->release = kRelease;
  auto text = readFile(dir_ + "/" + series_.updates[2].file);
  ASSERT_TRUE(text);
  ASSERT_TRUE(writeFile(dir_ + "/" + series_.updates[2].file, *text + "x"));
  r = run();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->token, "bad_package");
  EXPECT_NE(r.failure->message.find("is not the package the index names"),
            std::string::npos);
  EXPECT_TRUE(r.steps.empty());
  EXPECT_TRUE(host_->loaded.empty());
}

}  // namespace

namespace {

TEST_F(SeriesTest, PrintsEachStepTheStopAndTheLevel) {
  host_->loader.answers["b/apply"].cause = "code_busy";
  Printed p = printSeries("ksplice-apply", run(), false);
  EXPECT_EQ(p.status, 1);
  EXPECT_NE(p.out.find("series 6.1.176-1 -> 6.1.187-1 for kernel '6.1.0-test': "
                       "3 updates\n[1/3] a: applied (1 function), paused 1 us\n"
                       "[2/3] b: FAILED\n"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("the updates before 'b' stay applied"),
            std::string::npos);
  EXPECT_NE(p.err.find("ksplice-apply: error: code_busy: "), std::string::npos)
      << p.err;
  EXPECT_NE(p.err.find("the series stopped at update 'b' (2 of 3)"),
            std::string::npos)
      << p.err;

  auto l = seriesLevel(*host_, series_);
  ASSERT_TRUE(l);
  p = printSeriesLevel(series_, *l);
  EXPECT_EQ(p.out,
            "series 6.1.176-1 -> 6.1.187-1: 1 of 3 updates applied\n"
            "effective level: 6.1.176-1, with 1 of the 3 updates to 6.1.187-1\n"
            "not applied: b\nnot applied: c\n");
}

}  // namespace

namespace {

TEST_F(SeriesTest, RawErrorsPutTheTokenFirst) {
  host_->loader.answers["a/apply"].cause = "no_match";
  Printed p = printSeries("ksplice-apply", run(), true);
  EXPECT_EQ(p.err.substr(0, p.err.find('\n')), "no_match") << p.err;
}

}  // namespace
