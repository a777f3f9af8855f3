// Package signatures (see signature.h): libcrypto's EVP interface, one
// algorithm per key type.
#include "signature.h"
#include "format.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "sha256.h"

namespace ksplice {
namespace {


// The reason libcrypto gave for the last failure, if any.
std::string sslReason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e)
    return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string(" (") + buf + ")";
}

using PKey = std::shared_ptr<EVP_PKEY>;

PKey wrap(EVP_PKEY *k) { return PKey(k, EVP_PKEY_free); }

// The algorithm name manifest.sig gives a key of this type, or "" for a
// type we do not sign with.
std::string algorithmOf(EVP_PKEY *k) {
  switch (EVP_PKEY_get_base_id(k)) {
  case EVP_PKEY_ED25519:
    return "ed25519";
  case EVP_PKEY_RSA:
  case EVP_PKEY_RSA_PSS:
    return "rsa-pss-sha256";
  }
  return "";
}

std::string fingerprintOf(EVP_PKEY *k) {
  unsigned char *der = nullptr;
  int n = i2d_PUBKEY(k, &der);
  if (n <= 0)
    return "";
  std::string fp = "sha256:" + sha256Hex({reinterpret_cast<char *>(der),
                                          static_cast<size_t>(n)});
  OPENSSL_free(der);
  return fp;
}

enum class KeyKind { Private, Public, Either };

Result<PKey> readKey(const std::string &path, KeyKind kind) {
  FILE *f = fopen(path.c_str(), "r");
  if (!f)
    return Status::error("cannot read key " + quoted(path) + ": " + strerror(errno));
  EVP_PKEY *k = nullptr;
  if (kind != KeyKind::Public)
    k = PEM_read_PrivateKey(f, nullptr, nullptr, const_cast<char *>(""));
  if (!k && kind != KeyKind::Private) {
    rewind(f);
    ERR_clear_error();
    k = PEM_read_PUBKEY(f, nullptr, nullptr, nullptr);
  }
  fclose(f);
  if (!k) {
    const char *what = kind == KeyKind::Private  ? "an unencrypted PEM private key"
                       : kind == KeyKind::Public ? "a PEM public key"
                                                 : "a PEM key";
    return Status::error(quoted(path) + " is not " + what + sslReason());
  }
  PKey key = wrap(k);
  if (algorithmOf(k).empty())
    return Status::error(quoted(path) + " is a key of a type ksplice does not use; "
                         "use an Ed25519 or RSA key");
  return key;
}

// Sets up `ctx` to sign or verify with `k`: Ed25519 signs the message
// itself, RSA uses PSS over SHA-256 with a salt as long as the digest.
bool initContext(EVP_MD_CTX *ctx, EVP_PKEY *k, bool sign) {
  bool ed = EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519;
  const EVP_MD *md = ed ? nullptr : EVP_sha256();
  EVP_PKEY_CTX *pctx = nullptr;
  int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, k)
                : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, k);
  if (ok != 1)
    return false;
  if (!ed && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    return false;
  return true;
}

using MdCtx = std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)>;

bool fromHex(std::string_view s, std::string &out) {
  auto nibble = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  if (s.empty() || s.size() % 2)
    return false;
  out.clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out += static_cast<char>(hi << 4 | lo);
  }
  return true;
}

struct ParsedSignature {
  std::string key, algorithm, bytes;
};

// manifest.sig's four lines, in order, nothing else.
Result<ParsedSignature> parseSignature(std::string_view text) {
  static const char *const keys[] = {"format", "key", "algorithm", "signature"};
  std::string values[4];
  size_t line = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos)
      return Status::error("line " + std::to_string(line + 1) + " has no newline");
    std::string_view l = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    size_t sp = l.find(' ');
    if (line >= 4 || sp == std::string_view::npos || l.substr(0, sp) != keys[line])
      return Status::error("line " + std::to_string(line + 1) + ": expected '" +
                           (line < 4 ? keys[line] : "end of file") + " ...'");
    values[line++] = std::string(l.substr(sp + 1));
  }
  if (line != 4)
    return Status::error("missing line '" + std::string(keys[line]) + " ...'");
  if (values[0] != "ksplice-signature 1")
    return Status::error("unknown format '" + values[0] + "'");
  ParsedSignature p{values[1], values[2], ""};
  if (!fromHex(values[3], p.bytes))
    return Status::error("signature is not lower-case hex");
  return p;
}

bool verifyWith(EVP_PKEY *k, std::string_view message, const std::string &sig) {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx && initContext(ctx.get(), k, false) &&
            EVP_DigestVerify(ctx.get(),
                             reinterpret_cast<const unsigned char *>(sig.data()),
                             sig.size(),
                             reinterpret_cast<const unsigned char *>(message.data()),
                             message.size()) == 1;
  ERR_clear_error();
  return ok;
}

SignatureCheck refuse(std::string cause, std::string message) {
  SignatureCheck c;
  c.cause = std::move(cause);
  c.message = std::move(message);
  return c;
}

// A package without manifest.sig.
SignatureCheck checkUnsigned(const std::string &dir, size_t nrKeys,
                             bool allowUnsigned) {
  SignatureCheck c;
  if (nrKeys == 0) {
    c.warnings.push_back(
        "the package is not signed and no trusted keys are installed in " +
        quoted(dir) + ", so signatures are not checked; to check them, sign "
        "updates with 'ksplice-create --sign KEY' and install the public key "
        "in " + quoted(dir));
  } else if (allowUnsigned) {
    c.warnings.push_back("--allow-unsigned: loading an UNSIGNED package "
                         "although trusted keys are installed in " + quoted(dir));
  } else {
    c = refuse("unsigned_package",
               "the package is not signed, and trusted keys are installed in " +
                   quoted(dir) + "; sign it with 'ksplice-create --sign KEY', or "
                   "pass --allow-unsigned to load it anyway");
  }
  return c;
}

}  // namespace

Result<std::string> keyFingerprint(const std::string &keyPath) {
  auto k = readKey(keyPath, KeyKind::Either);
  if (!k)
    return k.status();
  return fingerprintOf(k->get());
}

Result<std::string> signManifest(std::string_view manifest,
                                 const std::string &keyPath) {
  auto k = readKey(keyPath, KeyKind::Private);
  if (!k)
    return k.status();
  EVP_PKEY *key = k->get();
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  const auto *msg = reinterpret_cast<const unsigned char *>(manifest.data());
  if (!ctx || !initContext(ctx.get(), key, true) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg, manifest.size()) != 1)
    return Status::error("cannot sign with " + quoted(keyPath) + sslReason());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()),
                     &len, msg, manifest.size()) != 1)
    return Status::error("cannot sign with " + quoted(keyPath) + sslReason());
  sig.resize(len);
  return "format ksplice-signature 1\n"
         "key " + fingerprintOf(key) + "\n"
         "algorithm " + algorithmOf(key) + "\n"
         "signature " + toHex(sig.data(), sig.size()) + "\n";
}

Result<std::vector<TrustedKey>> loadTrustedKeys(const std::string &dir) {
  std::vector<TrustedKey> keys;
  DIR *d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT)
      return keys;
    return Status::error("cannot read trusted keys in " + quoted(dir) + ": " +
                         strerror(errno));
  }
  std::vector<std::string> names;
  while (dirent *e = readdir(d))
    if (e->d_name[0] != '.')
      names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto &n : names) {
    std::string path = dir + "/" + n;
    struct stat st;
    if (stat(path.c_str(), &st) || !S_ISREG(st.st_mode))
      continue;
    auto k = readKey(path, KeyKind::Public);
    if (!k)
      return Status::error("trusted key " + k.message() +
                           "; every file in " + quoted(dir) +
                           " must be one PEM public key");
    keys.push_back({path, fingerprintOf(k->get()), std::static_pointer_cast<void>(*k)});
  }
  return keys;
}

Result<SignatureCheck> checkSignature(std::string_view manifest,
                                      const std::string *signature,
                                      const TrustPolicy &policy) {
  auto keys = loadTrustedKeys(policy.keysDir);
  if (!keys)
    return keys.status();
  const std::string &dir = policy.keysDir;
  if (!signature)
    return checkUnsigned(dir, keys->size(), policy.allowUnsigned);

  auto sig = parseSignature(*signature);
  if (!sig)
    return refuse("bad_signature", std::string(kSignatureFile) + ": " +
                                       sig.message() +
                                       "; the package was damaged or changed "
                                       "after it was signed; do not load it");
  SignatureCheck c;
  c.signer = sig->key;
  auto key = std::find_if(keys->begin(), keys->end(), [&](const TrustedKey &k) {
    return k.fingerprint == sig->key;
  });
  if (key == keys->end()) {
    if (keys->empty())
      c.warnings.push_back("the package is signed by " + sig->key +
                           ", but no trusted keys are installed in " + quoted(dir) +
                           ", so the signature was not checked; install the "
                           "public key there to check it");
    else if (policy.allowUnsigned)
      c.warnings.push_back("--allow-unsigned: loading a package signed by " +
                           sig->key + ", which is NOT a trusted key in " + quoted(dir));
    else
      return refuse("untrusted_package",
                    "the package is signed by " + sig->key +
                        ", which is not one of the " +
                        std::to_string(keys->size()) + " trusted keys in " +
                        quoted(dir) + "; install its public key there if you trust "
                        "it, or pass --allow-unsigned");
    return c;
  }
  auto *pkey = static_cast<EVP_PKEY *>(key->pkey.get());
  if (sig->algorithm != algorithmOf(pkey) ||
      !verifyWith(pkey, manifest, sig->bytes))
    return refuse("bad_signature",
                  std::string(kSignatureFile) + " does not verify with the "
                  "trusted key " + quoted(key->file) + " (" + sig->key +
                  "): the manifest or its signature was changed after "
                  "signing; do not load this package");
  c.verified = true;
  c.keyFile = key->file;
  return c;
}

}  // namespace ksplice
