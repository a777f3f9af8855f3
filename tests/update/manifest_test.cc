#include "manifest.h"

#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"

using namespace ksplice;
using namespace ksplice::test;

namespace {

const char kText[] =
    "format ksplice-update 1\n"
    "id cmdline-fix\n"
    "description fix /proc/cmdline: show the \"real\" command line\n"
    "kernel-release 0.0.0-ksplice-test\n"
    "kernel-build aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    "core-module ksplice.ko\n"
    "patch-module ksplice_cmdline_fix.ko\n"
    "unit vmlinux fs/proc/cmdline.o\n"
    "unit ext4 fs/ext4/inode.o\n"
    "function fs/ext4/inode.o ext4_iget\n"
    "function fs/proc/cmdline.o cmdline_proc_show\n"
    "new-function fs/proc/cmdline.o cmdline_helper\n"
    "sha256 1111111111111111111111111111111111111111111111111111111111111111 ksplice.ko\n"
    "sha256 2222222222222222222222222222222222222222222222222222222222222222 ksplice_cmdline_fix.ko\n"
    "sha256 3333333333333333333333333333333333333333333333333333333333333333 patch\n";

// kText with line `n` (0-based) replaced; an empty replacement drops it.
std::string withLine(size_t n, const std::string &replacement) {
  std::string text = kText, out;
  size_t start = 0, i = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl - start);
    if (i == n) {
      if (!replacement.empty())
        out += replacement + "\n";
    } else {
      out += line + "\n";
    }
    start = nl + 1;
    i++;
  }
  return out;
}

void expectRejected(const std::string &text, const std::string &fragment) {
  auto m = parseManifest(text);
  ASSERT_FALSE(m) << "accepted:\n" << text;
  EXPECT_NE(m.message().find(fragment), std::string::npos)
      << "message: " << m.message();
}

}  // namespace

TEST(Manifest, SerializeIsTheDocumentedFormat) {
  Manifest m = sampleManifest();
  ASSERT_TRUE(validateManifest(m)) << validateManifest(m).message();
  EXPECT_EQ(serializeManifest(m), kText);
}

TEST(Manifest, RoundTrip) {
  auto m = parseManifest(kText);
  ASSERT_TRUE(m) << m.message();
  EXPECT_EQ(*m, sampleManifest());
  EXPECT_EQ(serializeManifest(*m), kText);
  ASSERT_NE(m->file("patch"), nullptr);
  EXPECT_EQ(m->file("patch")->sha256, hexOf('3'));
  EXPECT_EQ(m->file("nope"), nullptr);
}

TEST(Manifest, EmptyDescriptionAndNoFunctions) {
  Manifest m = sampleManifest();
  m.description.clear();
  m.functions.clear();
  m.newFunctions.clear();
  std::string text = serializeManifest(m);
  EXPECT_NE(text.find("\ndescription\n"), std::string::npos);
  auto back = parseManifest(text);
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(*back, m);
}

TEST(Manifest, RejectsUnknownFormatVersion) {
  expectRejected(withLine(0, "format ksplice-update 2"),
                 "unsupported package format 'ksplice-update 2'");
  expectRejected(withLine(0, "format tarball 1"), "not a ksplice update");
}

TEST(Manifest, RejectsWrongOrderAndUnknownKeys) {
  expectRejected(withLine(1, "description x"), "manifest:2: expected key 'id'");
  expectRejected(withLine(9, "frobnicate a b"), "manifest:10: unknown key");
  // A unit after the function lines.
  std::string text = kText;
  text.insert(text.find("sha256"), "unit vmlinux kernel/fork.o\n");
  expectRejected(text, "'unit' line after 'new-function' lines");
}

TEST(Manifest, RejectsMalformedLines) {
  expectRejected(withLine(1, "id ../etc"), "update id '../etc'");
  expectRejected(withLine(1, "id"), "'id' needs one value");
  expectRejected(withLine(4, "kernel-build 1234"), "kernel-build '1234'");
  expectRejected(withLine(6, "patch-module patch.o"), "ending in '.ko'");
  expectRejected(withLine(7, "unit vmlinux"), "'unit' needs two values");
  expectRejected(withLine(7, "unit vmlinux  fs/proc/cmdline.o"),
                 "'unit' needs two values");
  expectRejected(withLine(12, "sha256 11 ksplice.ko"),
                 "sha256 of 'ksplice.ko'");
  expectRejected(withLine(14, "sha256 " + hexOf('3') + " ../patch"),
                 "file name '../patch'");
  expectRejected(std::string(kText) + "sha256 " + hexOf('4') + " manifest\n",
                 "file name 'manifest'");
  expectRejected(std::string(kText).substr(0, sizeof(kText) - 2),
                 "last line has no newline");
  expectRejected("format ksplice-update 1\nid x\n", "truncated");
  expectRejected(withLine(2, "description tab\there"), "control character");
}

TEST(Manifest, RejectsUnsortedOrDuplicateLists) {
  // The two function lines swapped, and a duplicate.
  std::string swapped = withLine(9, "function fs/proc/cmdline.o cmdline_proc_show");
  swapped = swapped.replace(swapped.find("function fs/proc/cmdline.o cmdline_proc_show\nnew"),
                            strlen("function fs/proc/cmdline.o cmdline_proc_show"),
                            "function fs/ext4/inode.o ext4_iget");
  expectRejected(swapped, "function lines are not sorted");
  expectRejected(withLine(9, "function fs/proc/cmdline.o cmdline_proc_show"),
                 "function lines are not sorted and unique");
  expectRejected(withLine(13, "sha256 " + hexOf('2') + " ksplice.ko"),
                 "not sorted");
}

TEST(Manifest, RequiresTheThreeFiles) {
  expectRejected(withLine(14, ""), "required file 'patch'");
  expectRejected(withLine(12, ""), "required file 'ksplice.ko'");
}

TEST(Manifest, IdSyntax) {
  EXPECT_TRUE(isValidUpdateId("a"));
  EXPECT_TRUE(isValidUpdateId("CVE-2024.1_x"));
  EXPECT_TRUE(isValidUpdateId(std::string(64, 'x')));
  EXPECT_FALSE(isValidUpdateId(std::string(65, 'x')));
  EXPECT_FALSE(isValidUpdateId(""));
  EXPECT_FALSE(isValidUpdateId(".hidden"));
  EXPECT_FALSE(isValidUpdateId("a/b"));
  EXPECT_FALSE(isValidUpdateId("a b"));
}

// "after" lines: between patch-module and the first unit, in --after order
// (not sorted); optional, so a manifest without them reads as before.
TEST(Manifest, AfterLinesRoundTripInOrder) {
  Manifest m = sampleManifest();
  m.after = {hexOf('c'), hexOf('b')};
  ASSERT_TRUE(validateManifest(m)) << validateManifest(m).message();
  std::string text = serializeManifest(m);
  std::string expected = kText;
  expected.insert(expected.find("unit vmlinux"),
                  "after " + hexOf('c') + "\nafter " + hexOf('b') + "\n");
  EXPECT_EQ(text, expected);
  auto back = parseManifest(text);
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->after, (std::vector<std::string>{hexOf('c'), hexOf('b')}));
  EXPECT_EQ(serializeManifest(*back), text);
  // Identical inputs, identical bytes.
  EXPECT_EQ(serializeManifest(m), text);

  auto plain = parseManifest(kText);
  ASSERT_TRUE(plain) << plain.message();
  EXPECT_TRUE(plain->after.empty());
  EXPECT_FALSE(*plain == m);
}

TEST(Manifest, RejectsMalformedAfterLines) {
  std::string good = "after " + hexOf('c') + "\n";
  auto with = [&](const std::string &lines) {
    std::string t = kText;
    t.insert(t.find("unit vmlinux"), lines);
    return t;
  };
  expectRejected(with("after 1234\n"), "after '1234' is not a sha256");
  expectRejected(with("after " + std::string(64, 'C') + "\n"),
                 "is not a sha256");
  expectRejected(with("after\n"), "'after' needs one value");
  expectRejected(with("after " + hexOf('c') + " x\n"),
                 "'after' needs one value");
  expectRejected(with(good + good), "is listed twice");
  expectRejected(with("after " + hexOf('3') + "\n"),
                 "the sha256 of the update's own patch");
  // After the unit lines: out of order.
  std::string late = kText;
  late.insert(late.find("function "), good);
  expectRejected(late, "'after' line after 'unit' lines");
}
