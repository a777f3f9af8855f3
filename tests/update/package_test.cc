#include "package.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fs.h"
#include "sha256.h"
#include "test_util.h"

using namespace ksplice;
using namespace ksplice::test;

namespace {

class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("package_test.");
    ASSERT_TRUE(t) << t.message();
    tmp_ = std::move(*t);
    in_ = tmp_.path() + "/in";
    ASSERT_TRUE(makeDirectories(in_));
    ASSERT_TRUE(writeFile(in_ + "/ksplice.ko", "core module bytes\n"));
    ASSERT_TRUE(writeFile(in_ + "/ksplice_cmdline_fix.ko",
                          std::string("\x7f" "ELF patch module\0\1\2", 21)));
    ASSERT_TRUE(writeFile(in_ + "/patch", "--- a/fs/proc/cmdline.c\n"));
  }
  std::string path(const std::string &name) { return tmp_.path() + "/" + name; }
  // A fresh, empty unpack directory.
  std::string unpackDir() {
    std::string d = path("unpack" + std::to_string(n_++));
    EXPECT_TRUE(makeDirectories(d));
    return d;
  }
  std::string writeSample() {
    std::string out = path("ksplice-cmdline-fix.tar.gz");
    Status s = writePackage(in_, sampleFields(), out);
    EXPECT_TRUE(s) << s.message();
    return out;
  }
  void expectOpenFails(const std::string &pkg, const std::string &fragment) {
    auto p = openPackage(pkg, unpackDir());
    ASSERT_FALSE(p) << "opened " << pkg;
    EXPECT_NE(p.message().find(fragment), std::string::npos)
        << "message: " << p.message();
  }

  TempDir tmp_;
  std::string in_;
  int n_ = 0;
};

// A minimal ustar writer for hand-made (hostile) archives.
struct TarEntry {
  std::string name;
  char type;  // '0' file, '5' dir, '2' symlink
  std::string data;
  std::string link;
};

std::string makeTar(const std::vector<TarEntry> &entries) {
  std::string tar;
  for (const auto &e : entries) {
    std::string h(512, '\0');
    memcpy(&h[0], e.name.data(), std::min<size_t>(e.name.size(), 100));
    snprintf(&h[100], 8, "%07o", e.type == '5' ? 0755 : 0644);
    snprintf(&h[108], 8, "%07o", 0);
    snprintf(&h[116], 8, "%07o", 0);
    snprintf(&h[124], 12, "%011o", unsigned(e.data.size()));
    snprintf(&h[136], 12, "%011o", 0);
    memset(&h[148], ' ', 8);
    h[156] = e.type;
    memcpy(&h[157], e.link.data(), e.link.size());
    memcpy(&h[257], "ustar", 6);
    memcpy(&h[263], "00", 2);
    unsigned sum = 0;
    for (unsigned char c : h)
      sum += c;
    snprintf(&h[148], 8, "%06o", sum);
    h[155] = ' ';
    tar += h + e.data;
    if (tar.size() % 512)
      tar.append(512 - tar.size() % 512, '\0');
  }
  tar.append(1024, '\0');
  return tar;
}

// gzip `tar` into `out`.
void writeTarGz(const std::string &tar, const std::string &out) {
  ASSERT_TRUE(writeFile(out + ".tar", tar));
  std::string cmd = "gzip -n -c '" + out + ".tar' > '" + out + "'";
  ASSERT_EQ(system(cmd.c_str()), 0);
}

// The entries of a valid package for id "x" (manifest matching).
std::vector<TarEntry> validEntries(Manifest *out = nullptr) {
  Manifest m = sampleFields("x");
  std::vector<TarEntry> files = {{"ksplice-x/ksplice.ko", '0', "core", ""},
                                 {"ksplice-x/ksplice_x.ko", '0', "patchmod", ""},
                                 {"ksplice-x/patch", '0', "diff", ""}};
  for (const auto &f : files)
    m.files.push_back({sha256Hex(f.data), f.name.substr(10)});
  std::vector<TarEntry> e = {{"ksplice-x/", '5', "", ""},
                             {"ksplice-x/manifest", '0', serializeManifest(m), ""}};
  e.insert(e.end(), files.begin(), files.end());
  if (out)
    *out = m;
  return e;
}

}  // namespace

TEST_F(PackageTest, WriteThenOpenRoundTrip) {
  std::string pkg = writeSample();
  std::string dir = unpackDir();
  auto p = openPackage(pkg, dir);
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->dir, dir + "/ksplice-cmdline-fix");
  Manifest want = sampleFields();
  want.files = {{sha256Hex("core module bytes\n"), "ksplice.ko"},
                {sha256Hex(std::string("\x7f" "ELF patch module\0\1\2", 21)),
                 "ksplice_cmdline_fix.ko"},
                {sha256Hex("--- a/fs/proc/cmdline.c\n"), "patch"}};
  EXPECT_EQ(p->manifest, want);
  for (const char *f : {"ksplice.ko", "ksplice_cmdline_fix.ko", "patch"}) {
    auto a = readFile(in_ + "/" + f);
    auto b = readFile(p->dir + "/" + f);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b) << f;
  }
  auto m = readFile(p->dir + "/manifest");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, serializeManifest(want));
}

TEST_F(PackageTest, WriterSortsFunctionLists) {
  Manifest f = sampleFields();
  std::swap(f.functions[0], f.functions[1]);
  std::string out = path("p.tar.gz");
  ASSERT_TRUE(writePackage(in_, f, out));
  auto p = openPackage(out, unpackDir());
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->manifest.functions, sampleFields().functions);
}

TEST_F(PackageTest, OutputIsByteIdenticalForIdenticalInputs) {
  std::string a = path("a.tar.gz"), b = path("b.tar.gz");
  ASSERT_TRUE(writePackage(in_, sampleFields(), a));
  // Different mtimes and modes of the inputs must not matter.
  sleep(1);
  ASSERT_TRUE(writeFile(in_ + "/patch", "--- a/fs/proc/cmdline.c\n", 0600));
  chmod((in_ + "/ksplice.ko").c_str(), 0755);
  ASSERT_TRUE(writePackage(in_, sampleFields(), b));
  auto da = readFile(a), db = readFile(b);
  ASSERT_TRUE(da && db);
  EXPECT_EQ(*da, *db);
  EXPECT_GT(da->size(), 20u);
  // And a different input gives a different package.
  ASSERT_TRUE(writeFile(in_ + "/patch", "other\n"));
  std::string c = path("c.tar.gz");
  ASSERT_TRUE(writePackage(in_, sampleFields(), c));
  EXPECT_NE(*readFile(c), *da);
}

// A package built --after patches: the "after" lines survive the round
// trip in order, identical inputs give identical bytes, and the lines
// change the package.
TEST_F(PackageTest, AfterLinesRoundTripAndStayDeterministic) {
  Manifest f = sampleFields();
  f.after = {hexOf('d'), hexOf('c')};
  std::string a = path("a.tar.gz"), b = path("b.tar.gz"), c = path("c.tar.gz");
  ASSERT_TRUE(writePackage(in_, f, a));
  ASSERT_TRUE(writePackage(in_, f, b));
  EXPECT_EQ(*readFile(a), *readFile(b));
  ASSERT_TRUE(writePackage(in_, sampleFields(), c));
  EXPECT_NE(*readFile(c), *readFile(a));
  auto p = openPackage(a, unpackDir());
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->manifest.after, f.after);
  auto m = readFile(p->dir + "/manifest");
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("patch-module ksplice_cmdline_fix.ko\nafter " + hexOf('d') +
                    "\nafter " + hexOf('c') + "\nunit "),
            std::string::npos)
      << *m;
}

TEST_F(PackageTest, GnuTarReadsIt) {
  std::string pkg = writeSample();
  std::string list = path("list");
  std::string cmd = "tar -tzvf '" + pkg + "' > '" + list + "'";
  ASSERT_EQ(system(cmd.c_str()), 0);
  auto text = readFile(list);
  ASSERT_TRUE(text);
  for (const char *want :
       {"drwxr-xr-x root/root         0 1970-01-01 00:00 ksplice-cmdline-fix/\n",
        "ksplice-cmdline-fix/ksplice.ko\n",
        "ksplice-cmdline-fix/ksplice_cmdline_fix.ko\n",
        "ksplice-cmdline-fix/manifest\n", "ksplice-cmdline-fix/patch\n"})
    EXPECT_NE(text->find(want), std::string::npos) << want << "\n" << *text;
}

TEST_F(PackageTest, TamperedFileIsRejected) {
  std::string pkg = writeSample();
  std::string x = unpackDir();
  std::string cmd = "cd '" + x + "' && tar -xzf '" + pkg +
                    "' && printf evil >> ksplice-cmdline-fix/ksplice_cmdline_fix.ko"
                    " && tar --sort=name --mtime=@0 --owner=0 --group=0 "
                    "--numeric-owner --format=gnu -cf - ksplice-cmdline-fix | "
                    "gzip -n > '" + path("tampered.tar.gz") + "'";
  ASSERT_EQ(system(cmd.c_str()), 0);
  expectOpenFails(path("tampered.tar.gz"),
                  "sha256 of 'ksplice-cmdline-fix/ksplice_cmdline_fix.ko' "
                  "does not match the manifest");
}

TEST_F(PackageTest, HandMadeValidArchiveOpens) {
  Manifest m;
  writeTarGz(makeTar(validEntries(&m)), path("ok.tar.gz"));
  auto p = openPackage(path("ok.tar.gz"), unpackDir());
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->manifest, m);
}

TEST_F(PackageTest, PathTraversalIsRejected) {
  for (const char *evil : {"ksplice-x/../evil", "../evil", "/etc/evil",
                           "ksplice-x/sub/evil", "ksplice-x/.."}) {
    auto e = validEntries();
    e.push_back({evil, '0', "x", ""});
    writeTarGz(makeTar(e), path("evil.tar.gz"));
    auto p = openPackage(path("evil.tar.gz"), unpackDir());
    ASSERT_FALSE(p) << evil;
    EXPECT_TRUE(p.message().find("unsafe path") != std::string::npos ||
                p.message().find("unexpected entry") != std::string::npos ||
                p.message().find("outside the package") != std::string::npos)
        << evil << ": " << p.message();
  }
  EXPECT_FALSE(pathExists(tmp_.path() + "/evil"));
}

TEST_F(PackageTest, LinksDuplicatesAndExtraFilesAreRejected) {
  auto e = validEntries();
  e.push_back({"ksplice-x/link", '2', "", "/etc/shadow"});
  writeTarGz(makeTar(e), path("l.tar.gz"));
  expectOpenFails(path("l.tar.gz"), "is not a regular file");

  e = validEntries();
  e.push_back({"ksplice-x/patch", '0', "diff", ""});
  writeTarGz(makeTar(e), path("d.tar.gz"));
  expectOpenFails(path("d.tar.gz"), "appears twice");

  e = validEntries();
  e.push_back({"ksplice-x/extra", '0', "surprise", ""});
  writeTarGz(makeTar(e), path("x.tar.gz"));
  expectOpenFails(path("x.tar.gz"), "'ksplice-x/extra' is not listed");

  e = validEntries();
  e.pop_back();  // patch
  writeTarGz(makeTar(e), path("m.tar.gz"));
  expectOpenFails(path("m.tar.gz"), "'ksplice-x/patch' listed in the manifest is missing");

  e = validEntries();
  for (auto &entry : e)
    entry.name.replace(0, 9, "ksplice-y");
  writeTarGz(makeTar(e), path("id.tar.gz"));
  expectOpenFails(path("id.tar.gz"), "does not match the directory 'ksplice-y/'");
}

TEST_F(PackageTest, CorruptInputsAreRejected) {
  ASSERT_TRUE(writeFile(path("plain.tar.gz"), "not gzip at all"));
  expectOpenFails(path("plain.tar.gz"), "not a gzip-compressed update package");

  std::string tar = makeTar(validEntries());
  tar[0] ^= 1;  // breaks the header checksum
  writeTarGz(tar, path("sum.tar.gz"));
  expectOpenFails(path("sum.tar.gz"), "bad header checksum");

  writeTarGz(makeTar(validEntries()).substr(0, 1024 + 100), path("short.tar.gz"));
  expectOpenFails(path("short.tar.gz"), "truncated");

  expectOpenFails(path("none.tar.gz"), "cannot read package");
}

TEST_F(PackageTest, DecompressionIsBounded) {
  // 4 MiB of zeros compress to a few KiB.
  ASSERT_TRUE(writeFile(in_ + "/patch", std::string(4 << 20, '\0')));
  std::string pkg = writeSample();
  auto small = openPackage(pkg, unpackDir(), 1 << 20);
  ASSERT_FALSE(small);
  EXPECT_NE(small.message().find("decompresses to more than 1048576 bytes"),
            std::string::npos)
      << small.message();
  auto big = openPackage(pkg, unpackDir(), 8 << 20);
  EXPECT_TRUE(big) << big.message();
}

TEST_F(PackageTest, WriterRefusesBadInputs) {
  std::string out = path("bad.tar.gz");
  // Missing patch.
  unlink((in_ + "/patch").c_str());
  Status s = writePackage(in_, sampleFields(), out);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("required file 'patch'"), std::string::npos)
      << s.message();
  ASSERT_TRUE(writeFile(in_ + "/patch", "p\n"));
  // A subdirectory.
  ASSERT_TRUE(makeDirectories(in_ + "/debug"));
  s = writePackage(in_, sampleFields(), out);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("is not a regular file"), std::string::npos)
      << s.message();
  rmdir((in_ + "/debug").c_str());
  // A description with a newline.
  Manifest f = sampleFields();
  f.description = "two\nlines";
  s = writePackage(in_, f, out);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("must be one line"), std::string::npos)
      << s.message();
  EXPECT_FALSE(pathExists(out));
}

TEST(PackageSignature, SignedPackageCarriesManifestSigUnlisted) {
  auto t = TempDir::create("package_test.");
  ASSERT_TRUE(t);
  std::string in = t->path() + "/in";
  ASSERT_TRUE(makeDirectories(in));
  for (const char *f : {"ksplice.ko", "ksplice_cmdline_fix.ko", "patch"})
    ASSERT_TRUE(writeFile(in + "/" + f, f));
  // A stale signature in the input is not packaged as a file.
  ASSERT_TRUE(writeFile(in + "/manifest.sig", "stale\n"));
  std::string signedText;
  auto sign = [&](std::string_view manifest) -> Result<std::string> {
    signedText = std::string(manifest);
    return std::string("sig of ") + std::to_string(manifest.size()) + "\n";
  };
  std::string pkg = t->path() + "/signed.tar.gz";
  Status s = writePackage(in, sampleFields(), pkg, sign);
  ASSERT_TRUE(s) << s.message();
  std::string dir = t->path() + "/unpack";
  ASSERT_TRUE(makeDirectories(dir));
  auto p = openPackage(pkg, dir);
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->manifestText, signedText);
  EXPECT_EQ(p->manifest.file("manifest.sig"), nullptr);
  ASSERT_TRUE(p->signature.has_value());
  EXPECT_EQ(*p->signature,
            "sig of " + std::to_string(signedText.size()) + "\n");
  EXPECT_FALSE(pathExists(p->dir + "/manifest.sig"));

  // Unsigned: no signature, and the signer's failure fails the writer.
  std::string plain = t->path() + "/plain.tar.gz";
  ASSERT_TRUE(writePackage(in, sampleFields(), plain));
  std::string dir2 = t->path() + "/unpack2";
  ASSERT_TRUE(makeDirectories(dir2));
  auto q = openPackage(plain, dir2);
  ASSERT_TRUE(q) << q.message();
  EXPECT_FALSE(q->signature.has_value());
  auto refuse = [](std::string_view) -> Result<std::string> {
    return Status::error("no key");
  };
  s = writePackage(in, sampleFields(), t->path() + "/x.tar.gz", refuse);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot sign package"), std::string::npos) << s.message();
}
