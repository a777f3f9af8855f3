// The one subprocess runner (update/subprocess.h), used by ksplice-create
// for kbuild and patch and by the package code for gzip.
#include "subprocess.h"

#include <gtest/gtest.h>

#include "fs.h"

using namespace ksplice;

TEST(Subprocess, CapturesOutputAndStatus) {
  Command c;
  c.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  auto r = runProcess(c);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->status, 3);
  EXPECT_EQ(r->output, "out\nerr\n");
  EXPECT_EQ(describe(c), "sh -c echo out; echo err >&2; exit 3");
}

TEST(Subprocess, FeedsInputWorkingDirectoryAndEnvironment) {
  auto t = TempDir::create("subprocess_test.");
  ASSERT_TRUE(t) << t.message();
  Command c;
  c.argv = {"sh", "-c", "pwd; echo $KSPLICE_X; cat"};
  c.cwd = t->path();
  c.env = {"KSPLICE_X=42"};
  c.input = std::string(200000, 'x');  // more than a pipe holds
  auto r = runProcess(c);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->output, t->path() + "\n42\n" + c.input);
}

// A child that exits without reading its input does not kill the caller
// with SIGPIPE.
TEST(Subprocess, ChildIgnoringItsInput) {
  Command c;
  c.argv = {"true"};
  c.input = std::string(1 << 20, 'x');
  auto r = runProcess(c);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->status, 0);
}

TEST(Subprocess, FilesAsStdinAndStdout) {
  auto t = TempDir::create("subprocess_test.");
  ASSERT_TRUE(t) << t.message();
  std::string in = t->path() + "/in", out = t->path() + "/out";
  ASSERT_TRUE(writeFile(in, "hello\n"));
  Command c;
  c.argv = {"sh", "-c", "cat; echo note >&2"};
  c.stdinPath = in;
  c.stdoutPath = out;
  auto r = runProcess(c);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->output, "note\n");
  EXPECT_EQ(*readFile(out), "hello\n");

  c.stdinPath = t->path() + "/missing";
  auto missing = runProcess(c);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.message().find("cannot open '" + c.stdinPath + "'"),
            std::string::npos)
      << missing.message();
}

TEST(Subprocess, OutputBoundKillsTheChild) {
  auto t = TempDir::create("subprocess_test.");
  ASSERT_TRUE(t) << t.message();
  Command c;
  c.argv = {"head", "-c", "100000", "/dev/zero"};
  c.stdoutPath = t->path() + "/out";
  c.maxOutputBytes = 4096;
  auto r = runProcess(c);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->status, 128 + SIGXFSZ);
  EXPECT_EQ(readFile(c.stdoutPath)->size(), 4096u);
  // The caller's own limit is untouched.
  c.maxOutputBytes = 0;
  auto full = runProcess(c);
  ASSERT_TRUE(full) << full.message();
  EXPECT_EQ(full->status, 0);
  EXPECT_EQ(readFile(c.stdoutPath)->size(), 100000u);
}

TEST(Subprocess, WhatCouldNotBeStarted) {
  Command c;
  c.argv = {"ksplice-no-such-program"};
  auto r = runProcess(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(),
            "cannot run 'ksplice-no-such-program': No such file or directory");
  c.argv = {"true"};
  c.cwd = "/nonexistent-dir";
  auto d = runProcess(c);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.message(), "cannot run 'true' in '/nonexistent-dir': No such "
                         "file or directory");
  EXPECT_FALSE(runProcess(Command()));
}

TEST(Subprocess, TailLines) {
  EXPECT_EQ(tailLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(tailLines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(tailLines("", 3), "");
}
