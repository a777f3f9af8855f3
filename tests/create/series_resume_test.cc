// SeriesRecords (create/series_resume.h): a file's result round-trips
// through its record; records count only for the same inputs and, for a
// header group, the same members; an update's record needs its package.
#include "series_resume.h"

#include "fs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace ksplice;
namespace fs = std::filesystem;

namespace {

struct Records : ::testing::Test {
  TempDir tmp, in;  // the series' output directory; its other inputs
  SeriesCreateOptions o;
  const std::string change = changeDigest("--- a/fs/proc/base.c\n+++ b/...");
  void SetUp() override {
    auto t = TempDir::create("ksplice-resume-");
    ASSERT_TRUE(t.ok());
    tmp = std::move(*t);
    auto i = TempDir::create("ksplice-resume-inputs-");
    ASSERT_TRUE(i.ok());
    in = std::move(*i);
    o.outputDir = tmp.path();
    o.base.source = "/old";
    o.newSource = "/new";
    o.to = "6.1.187-1";
    // What packages are built from, as ksplice-create would find them.
    o.base.dataDir = in.path() + "/data";
    o.base.config = in.path() + "/config";
    o.base.headers = in.path() + "/headers";
    for (const char *f : {"data/loader-kmod/core/core.c",
                          "data/scripts/build-module.sh",
                          "data/scripts/build-patch-module.sh", "config",
                          "headers/Module.symvers"}) {
      fs::create_directories(fs::path(in.path() + "/" + f).parent_path());
      std::ofstream(in.path() + "/" + f) << f << "\n";
    }
  }
  SeriesRecords open(bool resume, size_t &kept) {
    o.resume = resume;
    auto r = SeriesRecords::open(o, kept);
    EXPECT_TRUE(bool(r)) << llvm::toString(r.takeError());
    return r ? std::move(*r) : SeriesRecords();
  }
  static SeriesFileResult update() {
    SeriesFileResult f;
    f.path = "fs/proc/base.c";
    f.fate = SeriesFileResult::Update;
    f.id = "fs-proc-base";
    f.package = "003-fs-proc-base.tar.gz";
    f.replaced = 2;
    f.objects = {"fs/proc/base.o"};
    f.byObject = {{"fs/proc/base.o", "vmlinux", 2}};
    f.patch = "/out/patches/003-fs-proc-base.patch";
    return f;
  }
};

} // namespace

TEST_F(Records, AResultRoundTrips) {
  size_t kept;
  SeriesRecords r = open(false, kept);
  SeriesFileResult f = update();
  f.why = "two lines\nand a \\ backslash";
  ASSERT_FALSE(bool(r.save("003-fs-proc-base", f, change)));
  SeriesFileResult g;
  g.path = f.path;
  EXPECT_FALSE(r.restore("003-fs-proc-base", g, change)); // no package yet
  std::ofstream(tmp.path() + "/" + f.package) << "x";
  ASSERT_TRUE(r.restore("003-fs-proc-base", g, change));
  EXPECT_EQ(g.fate, f.fate);
  EXPECT_EQ(g.id, f.id);
  EXPECT_EQ(g.package, f.package);
  EXPECT_EQ(g.why, f.why);
  EXPECT_EQ(g.replaced, 2u);
  EXPECT_EQ(g.objects, f.objects);
  ASSERT_EQ(g.byObject.size(), 1u);
  EXPECT_EQ(g.byObject[0].object, "fs/proc/base.o");
  EXPECT_EQ(g.byObject[0].target, "vmlinux");
  EXPECT_EQ(g.byObject[0].functions, 2u);
  EXPECT_EQ(g.patch, f.patch);
  SeriesFileResult other;
  other.path = "fs/proc/array.c"; // another file's record
  EXPECT_FALSE(r.restore("003-fs-proc-base", other, change));
}

TEST_F(Records, AGroupNeedsTheSameMembers) {
  size_t kept;
  SeriesRecords r = open(false, kept);
  SeriesFileResult f;
  f.path = "fs/proc/cmdline.c";
  f.fate = SeriesFileResult::Error;
  f.why = "does not compile";
  ASSERT_FALSE(bool(r.save("007-fs-proc-cmdline", f, change,
                           {"fs/proc/cmdline.c", "fs/proc/internal.h"})));
  SeriesFileResult g;
  g.path = f.path;
  EXPECT_FALSE(r.restore("007-fs-proc-cmdline", g, change, {"fs/proc/cmdline.c"}));
  EXPECT_FALSE(r.restore("007-fs-proc-cmdline", g, change));
  EXPECT_TRUE(r.restore("007-fs-proc-cmdline", g, change,
                        {"fs/proc/cmdline.c", "fs/proc/internal.h"}));
  EXPECT_EQ(g.fate, SeriesFileResult::Error);
}

TEST_F(Records, KeptOnlyOnResumeWithTheSameInputs) {
  size_t kept;
  SeriesFileResult f = update();
  std::ofstream(tmp.path() + "/" + f.package) << "x";
  ASSERT_FALSE(bool(open(false, kept).save("003-fs-proc-base", f, change)));
  EXPECT_EQ(open(true, kept).restore("003-fs-proc-base", f, change), true);
  EXPECT_EQ(kept, 1u);
  o.to = "6.1.188-1"; // other inputs: the records go
  SeriesRecords r = open(true, kept);
  EXPECT_EQ(kept, 0u);
  EXPECT_FALSE(r.restore("003-fs-proc-base", f, change));
  ASSERT_FALSE(bool(r.save("003-fs-proc-base", f, change)));
  open(false, kept); // no --resume: discarded too
  EXPECT_FALSE(fs::exists(tmp.path() + "/results/003-fs-proc-base"));
}

// The trees are named by their paths: a file whose diff is not the one its
// record was made from (a tree changed in place) is built again.
TEST_F(Records, AnotherChangeOfTheFileIsBuiltAgain) {
  size_t kept;
  SeriesFileResult f = update();
  std::ofstream(tmp.path() + "/" + f.package) << "x";
  SeriesRecords r = open(true, kept);
  ASSERT_FALSE(bool(r.save("003-fs-proc-base", f, change)));
  EXPECT_TRUE(r.restore("003-fs-proc-base", f, change));
  EXPECT_FALSE(r.restore("003-fs-proc-base", f, changeDigest("other")));
}

TEST_F(Records, AnotherLoaderDiscardsThem) {
  size_t kept;
  SeriesFileResult f = update();
  std::ofstream(tmp.path() + "/" + f.package) << "x";
  ASSERT_FALSE(bool(open(true, kept).save("003-fs-proc-base", f, change)));
  std::ofstream(o.base.dataDir + "/loader-kmod/core/core.c") << "changed\n";
  EXPECT_FALSE(open(true, kept).restore("003-fs-proc-base", f, change));
  EXPECT_EQ(kept, 0u);
}

TEST_F(Records, AMissingInputIsAnError) {
  size_t kept;
  fs::remove(o.base.config);
  o.resume = true;
  auto r = SeriesRecords::open(o, kept);
  ASSERT_FALSE(bool(r));
  EXPECT_NE(llvm::toString(r.takeError()).find(o.base.config),
            std::string::npos);
}
