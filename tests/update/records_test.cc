#include "records.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "format.h"
#include "fs.h"
#include "manifest.h"
#include "sha256.h"
#include "sysfs.h"
#include "test_util.h"

using namespace ksplice;

TEST(Records, AddListGetRemove) {
  auto t = TempDir::create("records_test.");
  ASSERT_TRUE(t) << t.message();
  std::string in = t->path() + "/in";
  ASSERT_TRUE(makeDirectories(in));
  ASSERT_TRUE(writeFile(in + "/manifest", "format ksplice-update 1\n"));
  ASSERT_TRUE(writeFile(in + "/patch", "--- a\n+++ b\n"));
  Records r(t->path() + "/run/ksplice");
  EXPECT_TRUE(r.list().empty());

  auto a = r.add("zeta", in + "/manifest", in + "/patch", "ksplice_zeta", 100);
  ASSERT_TRUE(a) << a.message();
  EXPECT_EQ(a->sequence, 1u);
  auto b = r.add("alpha", in + "/manifest", in + "/patch", "ksplice_alpha", 200);
  ASSERT_TRUE(b) << b.message();
  EXPECT_EQ(b->sequence, 2u);

  auto l = r.list();
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].id, "zeta");  // oldest first, by sequence not name
  EXPECT_EQ(l[1].id, "alpha");
  EXPECT_EQ(l[1].appliedAt, 200);
  EXPECT_EQ(l[1].module, "ksplice_alpha");
  EXPECT_EQ(*r.patchText("alpha"), "--- a\n+++ b\n");
  EXPECT_EQ(*r.manifestText("alpha"), "format ksplice-update 1\n");

  // Re-recording an id moves it to the newest position.
  auto z = r.add("zeta", in + "/manifest", in + "/patch", "ksplice_zeta", 300);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->sequence, 3u);
  EXPECT_EQ(r.list().back().id, "zeta");

  ASSERT_TRUE(r.remove("zeta"));
  EXPECT_FALSE(r.get("zeta"));
  ASSERT_EQ(r.list().size(), 1u);
  EXPECT_FALSE(r.get("../etc"));
  EXPECT_FALSE(r.add("../etc", in + "/manifest", in + "/patch", "m", 1));

  // A damaged record is skipped by list() and reported by get().
  ASSERT_TRUE(writeFile(t->path() + "/run/ksplice/alpha/sequence", "x\n"));
  EXPECT_TRUE(r.list().empty());
  auto bad = r.get("alpha");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("is damaged"), std::string::npos);
}

TEST(Format, Pause) {
  EXPECT_EQ(formatPause(850), "850 ns");
  EXPECT_EQ(formatPause(412345), "412.3 \u00b5s");
  EXPECT_EQ(formatPause(1250000), "1.25 ms");
  EXPECT_EQ(formatPause(2000000000ull), "2.000 s");
}

TEST(Format, Time) {
  EXPECT_EQ(formatTime(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(formatTime(1795000000), "2026-11-18 11:06:40 UTC");
}

TEST(Format, JsonString) {
  EXPECT_EQ(jsonString("plain"), "\"plain\"");
  EXPECT_EQ(jsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonString("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(jsonString(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(jsonString("\u00b5s \u2713"), "\"\u00b5s \u2713\"");
  EXPECT_EQ(jsonString("\xff\xc3"), "\"\\u00ff\\u00c3\"");
}

TEST(Records, LockIsExclusive) {
  auto t = TempDir::create("records_lock.");
  ASSERT_TRUE(t) << t.message();
  Records r(t->path() + "/run");
  std::string path = t->path() + "/run/.lock";
  auto tryLock = [&]() {
    int fd = open(path.c_str(), O_RDWR);
    EXPECT_GE(fd, 0);
    bool got = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd);
    return got;
  };
  {
    auto l = r.lock();
    ASSERT_TRUE(l) << l.message();
    EXPECT_FALSE(tryLock());
    // The lock file is not taken for a record.
    EXPECT_TRUE(r.list().empty());
  }
  EXPECT_TRUE(tryLock());
}

namespace {
volatile sig_atomic_t gotSignal = 0;
void onSignal(int) { gotSignal = 1; }
}  // namespace

TEST(CriticalSection, DefersSignalsUntilDone) {
  struct sigaction sa {}, old {};
  sa.sa_handler = onSignal;
  sigaction(SIGTERM, &sa, &old);
  gotSignal = 0;
  {
    CriticalSection critical;
    raise(SIGTERM);
    EXPECT_EQ(gotSignal, 0);
  }
  EXPECT_EQ(gotSignal, 1);
  sigaction(SIGTERM, &old, nullptr);
}

// The --after requirement: which patches are applied (records cross-checked
// with the sysfs stage), and the refusal's sentence.
TEST(Prerequisites, OnlyAppliedRecordedPatchesCount) {
  auto t = TempDir::create("records_test.");
  ASSERT_TRUE(t) << t.message();
  std::string in = t->path() + "/in", sys = t->path() + "/sys/kernel/ksplice";
  ASSERT_TRUE(makeDirectories(in));
  ASSERT_TRUE(writeFile(in + "/manifest", "format ksplice-update 1\n"));
  const std::string patchA = "--- a/fs/proc/meminfo.c\n+++ b\n";
  const std::string patchB = "--- a/fs/proc/meminfo.c\n+++ b\n@@ B\n";
  const std::string patchC = "--- a/kernel/fork.c\n+++ b\n";
  ASSERT_TRUE(writeFile(in + "/a", patchA));
  ASSERT_TRUE(writeFile(in + "/b", patchB));
  ASSERT_TRUE(writeFile(in + "/c", patchC));
  auto fake = [&](const std::string &id, const std::string &stage) {
    ASSERT_TRUE(makeDirectories(sys + "/" + id));
    ASSERT_TRUE(writeFile(sys + "/" + id + "/stage", stage + "\n"));
  };
  Records r(t->path() + "/run/ksplice");
  Sysfs s(sys);

  Manifest m = test::sampleManifest();
  m.id = "series-c";
  m.after = {sha256Hex(patchA), sha256Hex(patchB)};
  EXPECT_TRUE(appliedPatchDigests(r, s).empty());
  EXPECT_EQ(missingPrerequisites(m, {}), m.after);

  // A applied and recorded; B recorded but reversed in the kernel; C
  // applied but with no record; a stale record of B's patch under another
  // id without a loaded update.
  ASSERT_TRUE(r.add("upd-a", in + "/manifest", in + "/a", "ksplice_a", 1));
  fake("upd-a", "applied");
  ASSERT_TRUE(r.add("upd-b", in + "/manifest", in + "/b", "ksplice_b", 2));
  fake("upd-b", "reversed");
  fake("upd-c", "applied");
  ASSERT_TRUE(r.add("stale", in + "/manifest", in + "/b", "ksplice_s", 3));
  EXPECT_EQ(appliedPatchDigests(r, s),
            std::vector<std::string>{sha256Hex(patchA)});
  EXPECT_EQ(missingPrerequisites(m, appliedPatchDigests(r, s)),
            std::vector<std::string>{sha256Hex(patchB)});

  Status st = checkPrerequisites(m, "pkg.tar.gz", r, s);
  ASSERT_FALSE(st);
  std::string hb = sha256Hex(patchB);
  EXPECT_EQ(st.message(),
            "update 'series-c' in 'pkg.tar.gz' was built on top of "
            "(ksplice-create --after) the patch with sha256 " + hb +
                ", which is not applied on this host (no applied update in '" +
                r.root() +
                "' was built from it); nothing was changed: apply the update "
                "built from that patch first (an update built from it "
                "without --id is named 'p" + hb.substr(0, 8) + "')");

  // Both missing: named in --after order.
  Manifest both = m;
  both.after = {sha256Hex(patchC), sha256Hex(patchB)};
  Status st2 = checkPrerequisites(both, "p", r, s);
  ASSERT_FALSE(st2);
  EXPECT_NE(st2.message().find("the patches with sha256 " + sha256Hex(patchC) +
                               " and " + hb + ", which are not applied"),
            std::string::npos)
      << st2.message();
  EXPECT_NE(st2.message().find("those patches, in that order, first"),
            std::string::npos)
      << st2.message();

  // B applied now: every prerequisite is there.  An applied update's own
  // "after" lines are not consulted, only its patch.
  fake("upd-b", "applied");
  EXPECT_TRUE(checkPrerequisites(m, "pkg.tar.gz", r, s));
  Manifest none = m;
  none.after.clear();
  EXPECT_TRUE(checkPrerequisites(none, "pkg.tar.gz", Records(t->path() + "/x"),
                                 Sysfs(t->path() + "/y")));
}
