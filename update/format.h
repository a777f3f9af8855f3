// Text helpers shared by ksplice-apply, ksplice-undo and ksplice-view.
#ifndef KSPLICE_UPDATE_FORMAT_H
#define KSPLICE_UPDATE_FORMAT_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ksplice {

// 'S': a name or value in a message, as the tools quote them.
std::string quoted(std::string_view s);
// "850 ns", "412.3 µs", "1.25 ms", "2.000 s".
std::string formatPause(uint64_t ns);
// "2026-11-22 05:00:00 UTC".
std::string formatTime(int64_t secondsSinceEpoch);
// A JSON string literal, quotes included; control characters and
// non-UTF-8 bytes are escaped as \uXXXX.
std::string jsonString(std::string_view s);

// One JSON object, its fields in the order added, without spaces.
class JsonObject {
 public:
  // `json` is a JSON value already (an array, an object, null...).
  JsonObject &raw(std::string_view key, std::string_view json);
  JsonObject &str(std::string_view key, std::string_view value);
  JsonObject &num(std::string_view key, uint64_t value);
  // null when absent.
  JsonObject &strOrNull(std::string_view key,
                        const std::optional<std::string> &v);
  JsonObject &numOrNull(std::string_view key, const std::optional<uint64_t> &v);
  JsonObject &numOrNull(std::string_view key, const std::optional<int64_t> &v);
  JsonObject &boolean(std::string_view key, bool value);
  std::string text() const { return body_ + "}"; }

 private:
  std::string body_ = "{";
};

// [a,b,...] of JSON values.
std::string jsonArray(const std::vector<std::string> &values);
// ["a","b",...].
std::string jsonStrings(const std::vector<std::string> &strings);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_FORMAT_H
