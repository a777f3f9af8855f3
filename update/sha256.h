// SHA-256 (FIPS 180-4), self-contained (the package format's digest; the
// signatures of signature.h use OpenSSL's libcrypto).
#ifndef KSPLICE_UPDATE_SHA256_H
#define KSPLICE_UPDATE_SHA256_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "result.h"

namespace ksplice {

class Sha256 {
 public:
  Sha256();
  void update(const void *data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> finish();
  // finish() as 64 lower-case hex digits.
  std::string finishHex();

 private:
  void block(const uint8_t *p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes
};

std::string sha256Hex(std::string_view data);
// `len` bytes at `data` as lower-case hex digits.
std::string toHex(const void *data, size_t len);
// The digest of a file's contents, or an error naming the file.
Result<std::string> sha256File(const std::string &path);
// Whether `s` is a digest as sha256Hex() writes it: 64 lower-case hex digits.
bool isSha256Hex(std::string_view s);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_SHA256_H
