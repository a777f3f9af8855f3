#include "format.h"

#include <cstdio>
#include <ctime>

namespace ksplice {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string formatPause(uint64_t ns) {
  char buf[64];
  if (ns < 1000)
    snprintf(buf, sizeof(buf), "%llu ns", (unsigned long long)ns);
  else if (ns < 1000000)
    snprintf(buf, sizeof(buf), "%.1f \u00b5s", double(ns) / 1e3);
  else if (ns < 1000000000)
    snprintf(buf, sizeof(buf), "%.2f ms", double(ns) / 1e6);
  else
    snprintf(buf, sizeof(buf), "%.3f s", double(ns) / 1e9);
  return buf;
}

std::string formatTime(int64_t t) {
  time_t tt = time_t(t);
  struct tm tm;
  if (!gmtime_r(&tt, &tm))
    return std::to_string(t);
  char buf[64];
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8Length(std::string_view s, size_t i) {
  unsigned char c = s[i];
  size_t n;
  uint32_t min;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size())
    return 0;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; k++) {
    unsigned char d = s[i + k];
    if ((d & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

}  // namespace

std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    switch (c) {
      case '"': out += "\\\""; i++; continue;
      case '\\': out += "\\\\"; i++; continue;
      case '\n': out += "\\n"; i++; continue;
      case '\t': out += "\\t"; i++; continue;
      case '\r': out += "\\r"; i++; continue;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
      i++;
    } else if (c < 0x80) {
      out += char(c);
      i++;
    } else if (size_t n = utf8Length(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      // Not UTF-8: keep the byte's value visible (as U+0080..U+00FF).
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
      i++;
    }
  }
  out += '"';
  return out;
}

JsonObject &JsonObject::raw(std::string_view key, std::string_view json) {
  if (body_.size() > 1)
    body_ += ',';
  body_ += jsonString(key);
  body_ += ':';
  body_ += json;
  return *this;
}

JsonObject &JsonObject::str(std::string_view key, std::string_view value) {
  return raw(key, jsonString(value));
}

JsonObject &JsonObject::strOrNull(std::string_view key,
                                  const std::optional<std::string> &v) {
  return raw(key, v ? jsonString(*v) : "null");
}

JsonObject &JsonObject::num(std::string_view key, uint64_t value) {
  return raw(key, std::to_string(value));
}

JsonObject &JsonObject::numOrNull(std::string_view key,
                                  const std::optional<uint64_t> &v) {
  return raw(key, v ? std::to_string(*v) : "null");
}

JsonObject &JsonObject::numOrNull(std::string_view key,
                                  const std::optional<int64_t> &v) {
  return raw(key, v ? std::to_string(*v) : "null");
}

JsonObject &JsonObject::boolean(std::string_view key, bool value) {
  return raw(key, value ? "true" : "false");
}

std::string jsonArray(const std::vector<std::string> &values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); i++)
    out += (i ? "," : "") + values[i];
  return out + "]";
}

std::string jsonStrings(const std::vector<std::string> &strings) {
  std::vector<std::string> values;
  for (const std::string &s : strings)
    values.push_back(jsonString(s));
  return jsonArray(values);
}

}  // namespace ksplice
