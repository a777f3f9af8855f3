// Smoke tests of ksplice-apply, ksplice-undo and ksplice-view without a
// kernel: packages for another kernel release, and a fake sysfs tree and
// run directory (KSPLICE_SYSFS_ROOT, KSPLICE_RUN_DIR).  Nothing here loads
// a module: every case fails or finishes before that.
#include <fcntl.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "causes.h"
#include "cli.h"
#include "fs.h"
#include "package.h"
#include "records.h"
#include "sha256.h"
#include "test_keys.h"
#include "test_util.h"

extern char **environ;

using namespace ksplice;
using namespace ksplice::test;

namespace {

struct ToolRun {
  int rc = -1;
  std::string out, err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("cli_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    sysfs_ = tmp_.path() + "/sys/kernel/ksplice";
    run_ = tmp_.path() + "/run/ksplice";
    in_ = tmp_.path() + "/in";
    ASSERT_TRUE(makeDirectories(in_));
    ASSERT_TRUE(writeFile(in_ + "/ksplice.ko", "core"));
    ASSERT_TRUE(writeFile(in_ + "/ksplice_cmdline_fix.ko", "patch module"));
    ASSERT_TRUE(writeFile(in_ + "/patch", "--- a/fs/proc/cmdline.c\n+++ b\n"));
    keys_ = writeTestKeys(tmp_.path());
  }

  // ksplice-apply trusts the test key, and packages are signed with it.
  ToolRun run(const char *bin, std::vector<std::string> args) {
    std::map<std::string, std::string> env;
    for (char **e = environ; *e; e++) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    env["KSPLICE_SYSFS_ROOT"] = sysfs_;
    env["KSPLICE_RUN_DIR"] = run_;
    env["TMPDIR"] = tmp_.path();
    std::vector<std::string> envStrings;
    for (const auto &[k, v] : env)
      envStrings.push_back(k + "=" + v);
    std::vector<char *> envp, argv;
    for (auto &s : envStrings)
      envp.push_back(s.data());
    envp.push_back(nullptr);
    if (std::string(bin) == KSPLICE_APPLY_BIN)
      args.insert(args.begin(), {"--keys", keys_.trustedDir});
    args.insert(args.begin(), bin);
    for (auto &a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string outPath = tmp_.path() + "/stdout", errPath = tmp_.path() + "/stderr";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outPath.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errPath.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    ToolRun r;
    int rc = posix_spawn(&pid, bin, &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    EXPECT_EQ(rc, 0) << strerror(rc);
    if (rc != 0)
      return r;
    int status;
    waitpid(pid, &status, 0);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = *readFile(outPath);
    r.err = *readFile(errPath);
    return r;
  }

  std::string package(const Manifest &fields) {
    std::string out = tmp_.path() + "/ksplice-" + fields.id + ".tar.gz";
    Status s = writePackage(in_, fields, out, signerFor(keys_.privateKey));
    EXPECT_TRUE(s) << s.message();
    return out;
  }

  void fakeUpdate(const std::string &id, const std::string &stage,
                  const std::string &description, const std::string &functions) {
    std::string d = sysfs_ + "/" + id;
    ASSERT_TRUE(makeDirectories(d));
    ASSERT_TRUE(writeFile(d + "/stage", stage + "\n"));
    ASSERT_TRUE(writeFile(d + "/abort_cause", "none\n"));
    ASSERT_TRUE(writeFile(d + "/conflicts", ""));
    ASSERT_TRUE(writeFile(d + "/description", description + "\n"));
    ASSERT_TRUE(writeFile(d + "/pause_ns", "0\n"));
    ASSERT_TRUE(writeFile(d + "/functions", functions));
    ASSERT_TRUE(writeFile(d + "/retries", "5\n"));
  }

  void record(const std::string &id, int64_t at) {
    Records r(run_);
    auto rec = r.add(id, in_ + "/patch", in_ + "/patch", "ksplice_" + id, at);
    ASSERT_TRUE(rec) << rec.message();
  }

  static std::string release() {
    struct utsname u;
    uname(&u);
    return u.release;
  }

  TempDir tmp_;
  std::string sysfs_, run_, in_;
  TestKeys keys_;
};

}  // namespace

TEST_F(CliTest, ApplyRefusesAnotherKernelRelease) {
  std::string pkg = package(sampleFields());
  ToolRun r = run(KSPLICE_APPLY_BIN, {pkg});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "ksplice-apply: error: update 'cmdline-fix' in '" + pkg +
                "' is for kernel '0.0.0-ksplice-test', but this host runs '" +
                release() +
                "'; nothing was changed: build the update for this kernel "
                "with ksplice-create, or apply it on a host running "
                "'0.0.0-ksplice-test'\n");
  EXPECT_FALSE(pathExists(run_));
  EXPECT_FALSE(pathExists(sysfs_));

  ToolRun raw = run(KSPLICE_APPLY_BIN, {"--raw-errors", pkg});
  EXPECT_EQ(raw.rc, 1);
  EXPECT_EQ(raw.err.substr(0, raw.err.find('\n')), "other");
}

TEST_F(CliTest, ApplyRejectsDamagedPackageWithBadPackageToken) {
  std::string pkg = tmp_.path() + "/junk.tar.gz";
  ASSERT_TRUE(writeFile(pkg, "junk"));
  ToolRun r = run(KSPLICE_APPLY_BIN, {"--raw-errors", pkg});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "bad_package");
  EXPECT_NE(r.err.find("ksplice-apply: error: '" + pkg +
                       "': not a gzip-compressed update package"),
            std::string::npos)
      << r.err;

  ToolRun missing = run(KSPLICE_APPLY_BIN, {tmp_.path() + "/none.tar.gz"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("cannot read package"), std::string::npos);
}

// The fake tree already holds the update, so the tool loads no module: it
// writes "check" to the stage file and reports what the "loader" left in
// abort_cause, conflicts, functions and pause_ns.
TEST_F(CliTest, ApplyDryRunWritesCheckAndReportsSuccess) {
  Manifest f = sampleFields();
  f.kernelRelease = release();
  std::string pkg = package(f);
  fakeUpdate("cmdline-fix", "loaded", f.description,
             "cmdline_proc_show vmlinux\n");
  ASSERT_TRUE(writeFile(sysfs_ + "/cmdline-fix/pause_ns", "380100\n"));
  ToolRun r = run(KSPLICE_APPLY_BIN, {"--dry-run", pkg});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "dry run of update 'cmdline-fix': " + f.description +
                       "\n"
                       "  would replace 'cmdline_proc_show' in vmlinux\n"
                       "  the check paused the kernel for 380.1 µs\n"
                       "update 'cmdline-fix' would apply now; nothing was "
                       "changed\n");
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/stage"), "check\n");
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/retries"), "5\n");
  EXPECT_FALSE(pathExists(run_ + "/cmdline-fix"));
  EXPECT_TRUE(Records(run_).list().empty());
}

TEST_F(CliTest, ApplyDryRunWithRetriesRestoresThem) {
  Manifest f = sampleFields();
  f.kernelRelease = release();
  std::string pkg = package(f);
  fakeUpdate("cmdline-fix", "reversed", f.description, "");
  ToolRun r = run(KSPLICE_APPLY_BIN, {"--dry-run", "--retries", "9", pkg});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/stage"), "check\n");
  // Set for the check, then put back: the update was not ours.
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/retries"), "5\n");
}

TEST_F(CliTest, ApplyDryRunReportsTheLoadersTokenAndTasks) {
  Manifest f = sampleFields();
  f.kernelRelease = release();
  std::string pkg = package(f);
  fakeUpdate("cmdline-fix", "loaded", f.description,
             "cmdline_proc_show vmlinux\n");
  ASSERT_TRUE(writeFile(sysfs_ + "/cmdline-fix/abort_cause", "code_busy\n"));
  ASSERT_TRUE(writeFile(sysfs_ + "/cmdline-fix/conflicts",
                        "4321 my worker cmdline_proc_show\n"));
  ToolRun r = run(KSPLICE_APPLY_BIN, {"--dry-run", "--raw-errors", pkg});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "code_busy\n"
            "ksplice-apply: error: code_busy: " +
                causeSentence("code_busy") +
                "\n"
                "ksplice-apply: note: the loader's check (dry run) found that "
                "update 'cmdline-fix' would not apply now; nothing was "
                "changed\n"
                "ksplice-apply: note: task 'my worker' (pid 4321) is running "
                "'cmdline_proc_show'\n");
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/stage"), "check\n");
  EXPECT_FALSE(pathExists(run_ + "/cmdline-fix"));
}

TEST_F(CliTest, ApplyDryRunOfAnAppliedUpdateChecksNothing) {
  Manifest f = sampleFields();
  f.kernelRelease = release();
  std::string pkg = package(f);
  fakeUpdate("cmdline-fix", "applied", f.description, "");
  ToolRun r = run(KSPLICE_APPLY_BIN, {"--dry-run", pkg});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            "update 'cmdline-fix' is already applied; nothing to check\n");
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/stage"), "applied\n");
}

TEST_F(CliTest, ApplyDryRunStillRefusesAnotherKernelRelease) {
  std::string pkg = package(sampleFields());
  ToolRun r = run(KSPLICE_APPLY_BIN, {"--dry-run", "--raw-errors", pkg});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "other");
  EXPECT_NE(r.err.find("is for kernel '0.0.0-ksplice-test'"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(pathExists(run_));
  EXPECT_FALSE(pathExists(sysfs_));
}

// A package built --after a patch whose update is not applied here is
// refused before anything is loaded, with its own --raw-errors token.
TEST_F(CliTest, ApplyRefusesMissingPrerequisiteBeforeLoading) {
  const std::string earlier = "--- a/fs/proc/meminfo.c\n+++ b\n";
  ASSERT_TRUE(writeFile(tmp_.path() + "/earlier.patch", earlier));
  std::string digest = sha256Hex(earlier);
  Manifest f = sampleFields();
  f.kernelRelease = release();
  f.after = {digest};
  std::string pkg = package(f);
  for (bool dry : {false, true}) {
    std::vector<std::string> args = {"--raw-errors", pkg};
    if (dry)
      args.insert(args.begin(), "--dry-run");
    ToolRun r = run(KSPLICE_APPLY_BIN, args);
    EXPECT_EQ(r.rc, 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "missing_prerequisite\n"
              "ksplice-apply: error: update 'cmdline-fix' in '" + pkg +
                  "' was built on top of (ksplice-create --after) the patch "
                  "with sha256 " + digest +
                  ", which is not applied on this host (no applied update in '" +
                  run_ +
                  "' was built from it); nothing was changed: apply the "
                  "update built from that patch first (an update built from "
                  "it without --id is named 'p" + digest.substr(0, 8) +
                  "')\n");
    // No core module was loaded: the fake sysfs tree does not even exist.
    EXPECT_FALSE(pathExists(sysfs_));
    EXPECT_TRUE(Records(run_).list().empty());
  }
  EXPECT_FALSE(isKnownCause(kMissingPrerequisiteToken));

  // Recorded but not applied in the kernel: still refused.
  fakeUpdate("earlier", "reversed", "the earlier fix", "");
  Records rec(run_);
  ASSERT_TRUE(rec.add("earlier", in_ + "/patch", tmp_.path() + "/earlier.patch",
                      "ksplice_earlier", 1));
  fakeUpdate("cmdline-fix", "loaded", f.description,
             "cmdline_proc_show vmlinux\n");
  ToolRun reversed = run(KSPLICE_APPLY_BIN, {"--dry-run", "--raw-errors", pkg});
  EXPECT_EQ(reversed.rc, 1);
  EXPECT_EQ(reversed.err.substr(0, reversed.err.find('\n')),
            "missing_prerequisite");
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/stage"), "loaded\n");

  // Applied: the dry run goes on to the loader's check.
  fakeUpdate("earlier", "applied", "the earlier fix", "");
  ToolRun ok = run(KSPLICE_APPLY_BIN, {"--dry-run", pkg});
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_EQ(*readFile(sysfs_ + "/cmdline-fix/stage"), "check\n");
}

// An update that is already applied needs no prerequisite check.
TEST_F(CliTest, ApplyOfAnAppliedUpdateSkipsThePrerequisiteCheck) {
  Manifest f = sampleFields();
  f.kernelRelease = release();
  f.after = {hexOf('e')};
  std::string pkg = package(f);
  fakeUpdate("cmdline-fix", "applied", f.description, "");
  ToolRun r = run(KSPLICE_APPLY_BIN, {pkg});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "update 'cmdline-fix' is already applied; nothing to do\n");
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run(KSPLICE_APPLY_BIN, {}).rc, 2);
  EXPECT_EQ(run(KSPLICE_APPLY_BIN, {"--retries", "0", "x"}).rc, 2);
  EXPECT_EQ(run(KSPLICE_APPLY_BIN, {"--bogus", "x"}).rc, 2);
  EXPECT_EQ(run(KSPLICE_UNDO_BIN, {}).rc, 2);
  EXPECT_EQ(run(KSPLICE_UNDO_BIN, {"--all", "x"}).rc, 2);
  EXPECT_EQ(run(KSPLICE_VIEW_BIN, {"extra"}).rc, 2);
  ToolRun help = run(KSPLICE_VIEW_BIN, {"--help"});
  EXPECT_EQ(help.rc, 0);
  EXPECT_NE(help.out.find("--json"), std::string::npos);
}

TEST_F(CliTest, ViewWithNothingLoaded) {
  ToolRun r = run(KSPLICE_VIEW_BIN, {});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "no updates are loaded\n");
  ToolRun j = run(KSPLICE_VIEW_BIN, {"--json"});
  EXPECT_EQ(j.rc, 0);
  EXPECT_EQ(j.out, "{\"updates\":[],\"series\":[]}\n");
}

TEST_F(CliTest, ViewListsNewestFirstAsTextAndJson) {
  fakeUpdate("old-fix", "applied", "first \"quoted\" \\ fix",
             "cmdline_proc_show vmlinux\n");
  fakeUpdate("new-fix", "applied", "second", "ext4_iget ext4\nf2 vmlinux\n");
  fakeUpdate("manual", "loaded", "not recorded", "");
  record("old-fix", 100);
  record("new-fix", 200);
  ASSERT_TRUE(writeFile(sysfs_ + "/new-fix/pause_ns", "1500\n"));

  ToolRun r = run(KSPLICE_VIEW_BIN, {});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            "new-fix  applied  'second'  applied-at 1970-01-01 00:03:20 UTC  "
            "functions ext4_iget,f2\n"
            "old-fix  applied  'first \"quoted\" \\ fix'  applied-at "
            "1970-01-01 00:01:40 UTC  functions cmdline_proc_show\n"
            "manual  loaded  'not recorded'  applied-at -  functions -\n");

  ToolRun j = run(KSPLICE_VIEW_BIN, {"--json"});
  EXPECT_EQ(j.rc, 0) << j.err;
  EXPECT_EQ(j.out,
            "{\"updates\":["
            "{\"id\":\"new-fix\",\"stage\":\"applied\",\"description\":"
            "\"second\",\"applied_at\":200,\"sequence\":2,\"pause_ns\":1500,"
            "\"functions\":[{\"name\":\"ext4_iget\",\"object\":\"ext4\"},"
            "{\"name\":\"f2\",\"object\":\"vmlinux\"}]},"
            "{\"id\":\"old-fix\",\"stage\":\"applied\",\"description\":"
            "\"first \\\"quoted\\\" \\\\ fix\",\"applied_at\":100,"
            "\"sequence\":1,\"pause_ns\":null,\"functions\":[{\"name\":"
            "\"cmdline_proc_show\",\"object\":\"vmlinux\"}]},"
            "{\"id\":\"manual\",\"stage\":\"loaded\",\"description\":"
            "\"not recorded\",\"applied_at\":null,\"sequence\":null,"
            "\"pause_ns\":null,\"functions\":[]}"
            "],\"series\":[]}\n");
}

TEST_F(CliTest, ViewOneUpdateShowsItsPatch) {
  fakeUpdate("fix", "applied", "the fix", "cmdline_proc_show vmlinux\n");
  record("fix", 0);
  ToolRun r = run(KSPLICE_VIEW_BIN, {"--id", "fix"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            "update 'fix' is applied\n"
            "description: the fix\n"
            "applied at: 1970-01-01 00:00:00 UTC\n"
            "functions:\n"
            "  cmdline_proc_show (vmlinux)\n"
            "patch:\n"
            "--- a/fs/proc/cmdline.c\n+++ b\n");
  ToolRun j = run(KSPLICE_VIEW_BIN, {"--id", "fix", "--json"});
  EXPECT_EQ(j.rc, 0);
  EXPECT_NE(j.out.find(",\"patch\":\"--- a/fs/proc/cmdline.c\\n+++ b\\n\"}]}"),
            std::string::npos)
      << j.out;

  // The loader's hooks file, when the update has hooks.
  ASSERT_TRUE(writeFile(sysfs_ + "/fix/hooks",
                        "pre_apply check\napply convert\n"));
  ToolRun h = run(KSPLICE_VIEW_BIN, {"--id", "fix"});
  EXPECT_EQ(h.rc, 0) << h.err;
  EXPECT_NE(h.out.find("  cmdline_proc_show (vmlinux)\n"
                       "hooks:\n"
                       "  pre_apply check\n"
                       "  apply convert\n"
                       "patch:\n"),
            std::string::npos)
      << h.out;
  ToolRun hj = run(KSPLICE_VIEW_BIN, {"--id", "fix", "--json"});
  EXPECT_NE(hj.out.find("\"hooks\":[{\"kind\":\"pre_apply\",\"function\":"
                        "\"check\"},{\"kind\":\"apply\",\"function\":"
                        "\"convert\"}]"),
            std::string::npos)
      << hj.out;

  // The loader's targets file: each target of the update, loaded or not.
  ASSERT_TRUE(writeFile(sysfs_ + "/fix/targets",
                        "vmlinux loaded-patched\nkstest waiting\n"
                        "ext4 refused no_match\n"));
  ToolRun t = run(KSPLICE_VIEW_BIN, {"--id", "fix"});
  EXPECT_EQ(t.rc, 0) << t.err;
  EXPECT_NE(t.out.find("targets:\n"
                       "  vmlinux: loaded and patched\n"
                       "  kstest: not loaded; patched when it is loaded\n"
                       "  ext4: its last load was refused (no_match): The "
                       "running kernel's code"),
            std::string::npos)
      << t.out;
  ToolRun tl = run(KSPLICE_VIEW_BIN, {});
  EXPECT_EQ(tl.out,
            "fix  applied  'the fix'  applied-at 1970-01-01 00:00:00 UTC  "
            "functions cmdline_proc_show  targets kstest waiting,ext4 "
            "refused (no_match)\n");
  ToolRun tj = run(KSPLICE_VIEW_BIN, {"--id", "fix", "--json"});
  EXPECT_NE(tj.out.find("\"targets\":[{\"name\":\"vmlinux\",\"state\":"
                        "\"loaded-patched\"},{\"name\":\"kstest\",\"state\":"
                        "\"waiting\"},{\"name\":\"ext4\",\"state\":"
                        "\"refused\",\"token\":\"no_match\"}]"),
            std::string::npos)
      << tj.out;

  ToolRun missing = run(KSPLICE_VIEW_BIN, {"--id", "other"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_EQ(missing.err,
            "ksplice-view: error: update 'other' is not loaded in the kernel "
            "and has no record in '" + run_ +
                "'; 'ksplice-view' lists the updates\n");
  ToolRun bad = run(KSPLICE_VIEW_BIN, {"--id", "../../etc"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("'../../etc' is not an update id"), std::string::npos);
}

TEST_F(CliTest, UndoErrors) {
  ToolRun none = run(KSPLICE_UNDO_BIN, {"--raw-errors", "fix"});
  EXPECT_EQ(none.rc, 1);
  EXPECT_EQ(none.err,
            "other\nksplice-undo: error: update 'fix' is not loaded in the "
            "kernel; 'ksplice-view' lists the loaded updates\n");
  ToolRun bad = run(KSPLICE_UNDO_BIN, {"../x"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("'../x' is not an update id"), std::string::npos);

  ToolRun all = run(KSPLICE_UNDO_BIN, {"--all"});
  EXPECT_EQ(all.rc, 0) << all.err;
  EXPECT_EQ(all.out, "no updates are loaded; nothing to undo\n");
}

TEST_F(CliTest, UndoDropsStaleRecordsAfterReboot) {
  record("gone", 5);
  ToolRun r = run(KSPLICE_UNDO_BIN, {"gone"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            "update 'gone' is not loaded in the kernel (rebooted?); removed "
            "its stale record\n");
  EXPECT_FALSE(pathExists(run_ + "/gone"));
}
