// Package signatures: signing, the trusted-key directory, and every verdict
// of checkSignature().
#include "signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ksplice {
namespace {

namespace fs = std::filesystem;

const std::string kManifest = "format ksplice-update 1\nid fix\n";

class Signature : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ksplice-sig-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    keys = dir + "/keys";
    fs::create_directory(keys);
  }
  void TearDown() override { fs::remove_all(dir); }

  // Writes a new key pair: the private key to <name>.key, the public key to
  // <name>.pub; returns the private key's path.
  std::string newKey(const std::string &name, const char *type = "ED25519") {
    EVP_PKEY *k = std::string(type) == "RSA"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    EXPECT_NE(k, nullptr);
    std::string priv = dir + "/" + name + ".key", pub = dir + "/" + name + ".pub";
    FILE *f = fopen(priv.c_str(), "w");
    PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr);
    fclose(f);
    f = fopen(pub.c_str(), "w");
    PEM_write_PUBKEY(f, k);
    fclose(f);
    EVP_PKEY_free(k);
    return priv;
  }
  void trust(const std::string &name) {
    fs::copy_file(dir + "/" + name + ".pub", keys + "/" + name + ".pem");
  }
  SignatureCheck check(const std::string *sig, bool allowUnsigned = false,
                       const std::string &manifest = kManifest) {
    auto c = checkSignature(manifest, sig, {keys, allowUnsigned});
    EXPECT_TRUE(c) << c.message();
    if (c)
      return *c;
    SignatureCheck failed;
    failed.cause = "error";
    return failed;
  }

  std::string dir, keys;
};

TEST_F(Signature, SignedByATrustedKeyVerifies) {
  std::string key = newKey("ops");
  trust("ops");
  auto sig = signManifest(kManifest, key);
  ASSERT_TRUE(sig) << sig.message();
  auto c = check(&*sig);
  EXPECT_EQ(c.cause, "");
  EXPECT_TRUE(c.verified);
  EXPECT_EQ(c.keyFile, keys + "/ops.pem");
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.signer, *keyFingerprint(key));
  EXPECT_EQ(c.signer, *keyFingerprint(dir + "/ops.pub"));
}

TEST_F(Signature, Ed25519SignaturesAreDeterministic) {
  std::string key = newKey("ops");
  EXPECT_EQ(*signManifest(kManifest, key), *signManifest(kManifest, key));
}

TEST_F(Signature, RsaPssVerifies) {
  std::string key = newKey("rsa", "RSA");
  trust("rsa");
  auto sig = signManifest(kManifest, key);
  ASSERT_TRUE(sig) << sig.message();
  EXPECT_NE(sig->find("algorithm rsa-pss-sha256\n"), std::string::npos);
  EXPECT_TRUE(check(&*sig).verified);
}

TEST_F(Signature, AChangedManifestIsRefused) {
  std::string key = newKey("ops");
  trust("ops");
  auto sig = signManifest(kManifest, key);
  std::string changed = kManifest;
  changed[changed.size() - 2] ^= 1;
  auto c = check(&*sig, /*allowUnsigned=*/true, changed);
  EXPECT_EQ(c.cause, "bad_signature");
  EXPECT_FALSE(c.verified);
  EXPECT_NE(c.message.find("ops.pem"), std::string::npos) << c.message;
}

TEST_F(Signature, AFlippedBitOfTheSignatureIsRefused) {
  std::string key = newKey("ops");
  trust("ops");
  std::string sig = *signManifest(kManifest, key);
  size_t at = sig.find("signature ") + 12;
  sig[at] = sig[at] == '0' ? '1' : '0';
  EXPECT_EQ(check(&sig, true).cause, "bad_signature");
  std::string garbled = sig;
  garbled.insert(0, "x");
  EXPECT_EQ(check(&garbled, true).cause, "bad_signature");
}

TEST_F(Signature, AnUntrustedKeyIsRefusedUnlessAllowed) {
  newKey("ops");
  trust("ops");
  std::string other = newKey("other");
  auto sig = signManifest(kManifest, other);
  auto c = check(&*sig);
  EXPECT_EQ(c.cause, "untrusted_package");
  EXPECT_NE(c.message.find(*keyFingerprint(other)), std::string::npos);
  c = check(&*sig, /*allowUnsigned=*/true);
  EXPECT_EQ(c.cause, "");
  EXPECT_FALSE(c.verified);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("NOT a trusted key"), std::string::npos);
}

TEST_F(Signature, UnsignedIsRefusedOnceAKeyIsTrusted) {
  newKey("ops");
  trust("ops");
  EXPECT_EQ(check(nullptr).cause, "unsigned_package");
  auto c = check(nullptr, true);
  EXPECT_EQ(c.cause, "");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("UNSIGNED"), std::string::npos);
}

TEST_F(Signature, WithoutTrustedKeysEverythingLoadsWithAWarning) {
  auto c = check(nullptr);
  EXPECT_EQ(c.cause, "");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("ksplice-create --sign"), std::string::npos);
  std::string sig = *signManifest(kManifest, newKey("ops"));
  c = check(&sig);
  EXPECT_EQ(c.cause, "");
  EXPECT_FALSE(c.verified);
  EXPECT_EQ(c.warnings.size(), 1u);
  fs::remove(keys);
  EXPECT_EQ(check(nullptr).cause, "");  // no directory: no keys
}

TEST_F(Signature, ABadFileInTheKeysDirectoryIsAnError) {
  std::ofstream(keys + "/README") << "not a key\n";
  auto c = checkSignature(kManifest, nullptr, {keys, false});
  ASSERT_FALSE(c);
  EXPECT_NE(c.message().find("README"), std::string::npos) << c.message();
  // A private key is not a trusted public key either.
  fs::remove(keys + "/README");
  fs::copy_file(newKey("ops"), keys + "/ops.pem");
  EXPECT_FALSE(loadTrustedKeys(keys));
  // Hidden files are ignored.
  fs::remove(keys + "/ops.pem");
  std::ofstream(keys + "/.ops.pem.swp") << "junk";
  EXPECT_TRUE(loadTrustedKeys(keys));
}

TEST_F(Signature, SigningNeedsAPrivateKeyOfAKnownType) {
  std::string key = newKey("ops");
  EXPECT_FALSE(signManifest(kManifest, dir + "/ops.pub"));
  EXPECT_FALSE(signManifest(kManifest, dir + "/missing.key"));
  std::string ec = newKey("ec", "X448");
  auto sig = signManifest(kManifest, ec);
  ASSERT_FALSE(sig);
  EXPECT_NE(sig.message().find("Ed25519 or RSA"), std::string::npos) << sig.message();
}

}  // namespace
}  // namespace ksplice
