// Result<T> and Status: the error currency of libksplice_update.  A failure
// carries one message in the project's style (lower-case, names quoted in
// '...', says what, where and what to do, no trailing period).  Nothing in
// the library throws.
#ifndef KSPLICE_UPDATE_RESULT_H
#define KSPLICE_UPDATE_RESULT_H

#include <optional>
#include <string>
#include <utility>

namespace ksplice {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status error(std::string message) {
    Status s;
    s.failed_ = true;
    s.message_ = std::move(message);
    return s;
  }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string &message() const { return message_; }
  // Prefixes the message with context, e.g. a file name: "'f': <message>".
  Status &context(const std::string &prefix) {
    if (failed_)
      message_ = prefix + ": " + message_;
    return *this;
  }

 private:
  bool failed_ = false;
  std::string message_;
};

inline Status okStatus() { return Status(); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {
    if (status_.ok())
      status_ = Status::error("internal error: Result built from a success Status");
  }
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status &status() const { return status_; }
  const std::string &message() const { return status_.message(); }
  T &value() { return *value_; }
  const T &value() const { return *value_; }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ksplice

#endif  // KSPLICE_UPDATE_RESULT_H
