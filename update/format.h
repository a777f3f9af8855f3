// Text helpers shared by ksplice-apply, ksplice-undo and ksplice-view.
#ifndef KSPLICE_UPDATE_FORMAT_H
#define KSPLICE_UPDATE_FORMAT_H

#include <cstdint>
#include <string>
#include <string_view>

namespace ksplice {

// "850 ns", "412.3 µs", "1.25 ms", "2.000 s".
std::string formatPause(uint64_t ns);
// "2026-11-22 05:00:00 UTC".
std::string formatTime(int64_t secondsSinceEpoch);
// A JSON string literal, quotes included; control characters and
// non-UTF-8 bytes are escaped as \uXXXX.
std::string jsonString(std::string_view s);

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_FORMAT_H
