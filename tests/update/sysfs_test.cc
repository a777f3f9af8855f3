#include "sysfs.h"

#include <gtest/gtest.h>

#include <ksplice/errors.h>

#include "causes.h"
#include "cli.h"
#include "fs.h"

using namespace ksplice;

namespace {

class SysfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("sysfs_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    root_ = tmp_.path() + "/ksplice";
  }
  void fakeUpdate(const std::string &id, const std::string &stage) {
    std::string d = root_ + "/" + id;
    ASSERT_TRUE(makeDirectories(d));
    ASSERT_TRUE(writeFile(d + "/stage", stage + "\n"));
    ASSERT_TRUE(writeFile(d + "/abort_cause", "none\n"));
    ASSERT_TRUE(writeFile(d + "/conflicts", ""));
    ASSERT_TRUE(writeFile(d + "/description", "desc of " + id + "\n"));
    ASSERT_TRUE(writeFile(d + "/pause_ns", "0\n"));
    ASSERT_TRUE(writeFile(d + "/functions", ""));
    ASSERT_TRUE(writeFile(d + "/retries", "5\n"));
  }
  void put(const std::string &id, const std::string &file,
           const std::string &text) {
    ASSERT_TRUE(writeFile(root_ + "/" + id + "/" + file, text));
  }
  TempDir tmp_;
  std::string root_;
};

}  // namespace

TEST_F(SysfsTest, CoreAbsentMeansNoUpdates) {
  Sysfs s(root_);
  EXPECT_FALSE(s.coreLoaded());
  auto u = s.updates();
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->empty());
  EXPECT_FALSE(s.hasUpdate("a"));
}

TEST_F(SysfsTest, ReadsAttributes) {
  fakeUpdate("b-fix", "applied");
  fakeUpdate("a-fix", "loaded");
  ASSERT_TRUE(writeFile(root_ + "/not-a-dir", "x"));
  put("b-fix", "abort_cause", "code_busy\n");
  put("b-fix", "pause_ns", "412345\n");
  put("b-fix", "functions",
      "cmdline_proc_show vmlinux\next4_iget ext4\n");
  Sysfs s(root_);
  EXPECT_TRUE(s.coreLoaded());
  auto u = s.updates();
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, (std::vector<std::string>{"a-fix", "b-fix"}));
  EXPECT_EQ(*s.stage("b-fix"), "applied");
  EXPECT_EQ(*s.stage("a-fix"), "loaded");
  EXPECT_EQ(*s.abortCause("b-fix"), "code_busy");
  EXPECT_EQ(*s.description("b-fix"), "desc of b-fix");
  EXPECT_EQ(*s.pauseNs("b-fix"), 412345u);
  EXPECT_EQ(*s.retries("b-fix"), 5u);
  auto f = s.functions("b-fix");
  ASSERT_TRUE(f) << f.message();
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].name, "cmdline_proc_show");
  EXPECT_EQ((*f)[0].object, "vmlinux");
  EXPECT_EQ((*f)[1].name, "ext4_iget");
  EXPECT_EQ((*f)[1].object, "ext4");
}

TEST_F(SysfsTest, MalformedAttributesAreErrors) {
  fakeUpdate("a", "loaded");
  put("a", "pause_ns", "12x\n");
  put("a", "functions", "only_a_name\n");
  Sysfs s(root_);
  auto p = s.pauseNs("a");
  ASSERT_FALSE(p);
  EXPECT_NE(p.message().find("pause_ns' holds '12x', not a number"),
            std::string::npos)
      << p.message();
  auto f = s.functions("a");
  ASSERT_FALSE(f);
  EXPECT_NE(f.message().find("'only_a_name' is not 'name object'"),
            std::string::npos)
      << f.message();
  auto missing = s.stage("nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.message().find("nope/stage"), std::string::npos);
}

TEST_F(SysfsTest, ReadsTargets) {
  fakeUpdate("a", "applied");
  Sysfs s(root_);
  // A core from before module targets could wait has no such file.
  auto none = s.targets("a");
  ASSERT_TRUE(none) << none.message();
  EXPECT_TRUE(none->empty());
  put("a", "targets",
      "vmlinux loaded-patched\nkstest waiting\next4 refused no_match\n");
  auto t = s.targets("a");
  ASSERT_TRUE(t) << t.message();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0].name, "vmlinux");
  EXPECT_EQ((*t)[0].state, "loaded-patched");
  EXPECT_EQ((*t)[0].token, "");
  EXPECT_EQ((*t)[1].name, "kstest");
  EXPECT_EQ((*t)[1].state, "waiting");
  EXPECT_EQ((*t)[2].name, "ext4");
  EXPECT_EQ((*t)[2].state, "refused");
  EXPECT_EQ((*t)[2].token, "no_match");
  for (const char *bad : {"kstest\n", "kstest refused\n",
                          "kstest waiting extra\n"}) {
    put("a", "targets", bad);
    auto b = s.targets("a");
    ASSERT_FALSE(b) << bad;
    EXPECT_NE(b.message().find("is not 'name state' or 'name refused token'"),
              std::string::npos)
        << b.message();
  }
}

TEST_F(SysfsTest, WritesStageAndRetries) {
  fakeUpdate("a", "loaded");
  Sysfs s(root_);
  ASSERT_TRUE(s.writeStage("a", "apply"));
  EXPECT_EQ(*readFile(root_ + "/a/stage"), "apply\n");
  ASSERT_TRUE(s.setRetries("a", 42));
  EXPECT_EQ(*readFile(root_ + "/a/retries"), "42\n");
  Status bad = s.writeStage("missing", "undo");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("cannot open"), std::string::npos);
}

TEST_F(SysfsTest, ParsesConflicts) {
  fakeUpdate("a", "loaded");
  put("a", "conflicts",
      "1234 bash cmdline_proc_show\n"
      "77 kworker/0:1 H (running)\n"
      "9 my task (unreliable-stack)\n"
      "10 cat seq_read+0x10/0x20\n"
      "...\n");
  Sysfs s(root_);
  auto c = s.conflicts("a");
  ASSERT_TRUE(c) << c.message();
  ASSERT_EQ(c->tasks.size(), 4u);
  EXPECT_TRUE(c->truncated);
  EXPECT_EQ(c->tasks[0].pid, 1234);
  EXPECT_EQ(c->tasks[0].comm, "bash");
  EXPECT_EQ(c->tasks[0].function, "cmdline_proc_show");
  EXPECT_EQ(c->tasks[1].comm, "kworker/0:1 H");
  EXPECT_EQ(c->tasks[1].kind, Conflict::Running);
  EXPECT_EQ(c->tasks[2].comm, "my task");
  EXPECT_EQ(c->tasks[2].kind, Conflict::UnreliableStack);
  EXPECT_EQ(describeConflict(c->tasks[0]),
            "task 'bash' (pid 1234) is running 'cmdline_proc_show'");
  EXPECT_EQ(describeConflict(c->tasks[3]),
            "task 'cat' (pid 10) is running 'seq_read+0x10/0x20'");
  EXPECT_NE(describeConflict(c->tasks[1]).find("task 'kworker/0:1 H' (pid 77)"),
            std::string::npos);

  put("a", "conflicts", "");
  auto empty = s.conflicts("a");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->tasks.empty());
  EXPECT_FALSE(empty->truncated);

  for (const char *bad : {"bash cmdline_proc_show\n", "12 bash\n", "-1 a b\n"}) {
    put("a", "conflicts", bad);
    auto r = s.conflicts("a");
    EXPECT_FALSE(r) << bad;
  }
}

TEST(Causes, TokensComeFromErrorsH) {
  auto tokens = knownCauses();
  ASSERT_EQ(tokens.size(), size_t(KSPLICE_NR_CAUSES));
  EXPECT_EQ(tokens[KSPLICE_CAUSE_code_busy], "code_busy");
  EXPECT_EQ(tokens[KSPLICE_CAUSE_dependent_update], "dependent_update");
  for (const char *t : {"none", "no_match", "failed_to_find", "code_busy",
                        "kprobe_conflict", "bad_package", "target_not_loaded",
                        "module_busy", "dependent_update", "bad_state",
                        "out_of_memory", "unexpected"})
    EXPECT_TRUE(isKnownCause(t)) << t;
  EXPECT_EQ(causeSentence("code_busy").rfind(
                "A function the update replaces was in use by a thread", 0),
            0u);
  EXPECT_NE(causeSentence("dependent_update").find("Undo the later update first"),
            std::string::npos);
}

TEST(Causes, UnknownTokenFallback) {
  EXPECT_FALSE(isKnownCause("frobnicated"));
  EXPECT_FALSE(isKnownCause(""));
  std::string s = causeSentence("frobnicated");
  EXPECT_NE(s.find("'frobnicated'"), std::string::npos) << s;
  EXPECT_NE(s.find("do not know"), std::string::npos) << s;
  EXPECT_NE(s.find("kernel log"), std::string::npos) << s;
}

TEST(AbortReport, HumanAndRaw) {
  Conflicts c;
  c.tasks.push_back({1234, "bash", "cmdline_proc_show", Conflict::InFunction});
  c.truncated = true;
  auto lines = abortReport("ksplice-apply", "fix1", "apply", "code_busy", c,
                           false);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "ksplice-apply: error: code_busy: " +
                          causeSentence("code_busy"));
  EXPECT_EQ(lines[1],
            "ksplice-apply: note: the loader refused to apply update 'fix1'");
  EXPECT_EQ(lines[2], "ksplice-apply: note: task 'bash' (pid 1234) is running "
                      "'cmdline_proc_show'");
  auto raw = abortReport("ksplice-undo", "fix1", "undo", "dependent_update",
                         Conflicts(), true);
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[0], "dependent_update");
  EXPECT_EQ(raw[1].rfind("ksplice-undo: error: dependent_update: A later", 0),
            0u);
}

TEST(AbortReport, DryRunSaysNothingWasChanged) {
  Conflicts c;
  c.tasks.push_back({77, "kstest_sleeper", "kstest_sleeper",
                     Conflict::InFunction});
  auto lines = abortReport("ksplice-apply", "fix1", "check", "code_busy", c,
                           true);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "code_busy");
  EXPECT_EQ(lines[1], "ksplice-apply: error: code_busy: " +
                          causeSentence("code_busy"));
  EXPECT_EQ(lines[2],
            "ksplice-apply: note: the loader's check (dry run) found that "
            "update 'fix1' would not apply now; nothing was changed");
  EXPECT_EQ(lines[3], "ksplice-apply: note: task 'kstest_sleeper' (pid 77) "
                      "is running 'kstest_sleeper'");
}
