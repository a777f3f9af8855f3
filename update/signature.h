// Package signatures: a detached signature over an update's manifest.
//
// The manifest holds the SHA-256 of every other file of the package and
// openPackage() checks each, so a signature over the manifest alone covers
// the whole package.  The signature travels in the package as
// ksplice-<id>/manifest.sig, a small text file:
//
//   format ksplice-signature 1
//   key sha256:<64 hex digits>        fingerprint of the signer's public key
//   algorithm ed25519 | rsa-pss-sha256
//   signature <hex>
//
// The fingerprint is the SHA-256 of the key's DER SubjectPublicKeyInfo (what
// `openssl pkey -pubin -outform DER | sha256sum` prints).  Ed25519 is the
// recommended key: its signatures are deterministic, so a signed package is
// still byte-identical for the same inputs; RSA-PSS signatures are salted
// and differ on every run.
//
// Trust lives on the host: a directory of PEM public keys, one per file
// (default /etc/ksplice/keys).  The cryptography is OpenSSL's libcrypto.
#ifndef KSPLICE_UPDATE_SIGNATURE_H
#define KSPLICE_UPDATE_SIGNATURE_H

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace ksplice {

inline constexpr const char *kSignatureFile = "manifest.sig";
inline constexpr const char *kDefaultKeysDir = "/etc/ksplice/keys";

// The contents of manifest.sig for `manifest`, signed with the PEM private
// key in `keyPath` (Ed25519 or RSA; not encrypted).
Result<std::string> signManifest(std::string_view manifest,
                                 const std::string &keyPath);

// The fingerprint ("sha256:<hex>") of the public half of the PEM key (public
// or private) in `keyPath`.
Result<std::string> keyFingerprint(const std::string &keyPath);

struct TrustedKey {
  std::string file;         // path of the PEM file
  std::string fingerprint;  // "sha256:<hex>"
  std::shared_ptr<void> pkey;  // EVP_PKEY, freed with it
};

// Every trusted key in `dir`: each regular file whose name does not start
// with '.' must be a PEM public key (Ed25519 or RSA), or this fails naming
// it.  A directory that does not exist holds no keys.
Result<std::vector<TrustedKey>> loadTrustedKeys(const std::string &dir);

struct TrustPolicy {
  std::string keysDir = kDefaultKeysDir;
  bool allowUnsigned = false;  // accept unsigned and untrusted packages
};

// What the signature check decided.  `cause` is empty when the package may
// be loaded, else a stable token of errors.h (unsigned_package,
// untrusted_package, bad_signature) and `message` says what and what to do.
struct SignatureCheck {
  std::string cause;
  std::string message;
  bool verified = false;     // signed by a trusted key, and it verifies
  std::string signer;        // fingerprint in manifest.sig, if signed
  std::string keyFile;       // the trusted key that verified it
  std::vector<std::string> warnings;  // for the operator, loudly
};

// Checks `signature` (the contents of manifest.sig, or nullptr when the
// package has none) over `manifest` against the keys of `policy`.  Fails
// only when the trusted keys cannot be read.
Result<SignatureCheck> checkSignature(std::string_view manifest,
                                      const std::string *signature,
                                      const TrustPolicy &policy);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_SIGNATURE_H
