// libFuzzer entry point over what the production tools read as root before
// anything is loaded: the manifest, and manifest.sig checked against a
// trusted key.  Any byte string must give a parsed manifest or an error,
// and a verdict on the signature, never a crash, hang or sanitizer report.
//
// The input is split at the first NUL byte: the manifest before it, the
// signature after it (no NUL: no signature).  A parsed manifest must
// serialize back to exactly the input (the format has one spelling).
#include "manifest.h"
#include "signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace ksplice;

namespace {

// A directory with one trusted Ed25519 key, made once per process.
const TrustPolicy &policy() {
  static TrustPolicy p = [] {
    char tmpl[] = "/tmp/ksplice-fuzz-keys-XXXXXX";
    if (!mkdtemp(tmpl))
      abort();
    EVP_PKEY *k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    std::string path = std::string(tmpl) + "/fuzz.pem";
    FILE *f = fopen(path.c_str(), "w");
    if (!k || !f || !PEM_write_PUBKEY(f, k))
      abort();
    fclose(f);
    EVP_PKEY_free(k);
    TrustPolicy t;
    t.keysDir = tmpl;
    return t;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view in(reinterpret_cast<const char *>(data), size);
  size_t nul = in.find('\0');
  std::string_view manifest = in.substr(0, nul);
  if (auto m = parseManifest(manifest); m && serializeManifest(*m) != manifest)
    __builtin_trap();
  std::string sig;
  if (nul != std::string_view::npos)
    sig = std::string(in.substr(nul + 1));
  auto c = checkSignature(manifest, nul == std::string_view::npos ? nullptr : &sig,
                          policy());
  if (c && c->verified)
    __builtin_trap();  // nobody has the fuzz key's private half
  return 0;
}
