// A fixed Ed25519 key pair for the update tests: the same fingerprint on
// every run, so expected output can name it.
#ifndef KSPLICE_TESTS_UPDATE_TEST_KEYS_H
#define KSPLICE_TESTS_UPDATE_TEST_KEYS_H

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <string>

#include "fs.h"
#include "package.h"
#include "signature.h"

namespace ksplice::test {

struct TestKeys {
  std::string privateKey;  // <dir>/test.key
  std::string trustedDir;  // <dir>/trusted/, holding test.pem
};

// Writes the pair under `dir` (which exists); `seed` picks the key.
inline TestKeys writeTestKeys(const std::string &dir, unsigned char seed = 1) {
  unsigned char raw[32];
  for (unsigned i = 0; i < sizeof raw; i++)
    raw[i] = static_cast<unsigned char>(seed + i);
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, raw,
                                             sizeof raw);
  TestKeys keys{dir + "/test.key", dir + "/trusted"};
  makeDirectories(keys.trustedDir);
  FILE *f = fopen(keys.privateKey.c_str(), "w");
  PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr);
  fclose(f);
  f = fopen((keys.trustedDir + "/test.pem").c_str(), "w");
  PEM_write_PUBKEY(f, k);
  fclose(f);
  EVP_PKEY_free(k);
  return keys;
}

// A signer for writePackage() with `key`.
inline ManifestSigner signerFor(const std::string &key) {
  return [key](std::string_view manifest) { return signManifest(manifest, key); };
}

}  // namespace ksplice::test

#endif  // KSPLICE_TESTS_UPDATE_TEST_KEYS_H
