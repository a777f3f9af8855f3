#include "records.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "format.h"
#include "fs.h"

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
