#pragma once
// Errors. An expected failure (a lost connection, a refused statement, a partition
// another worker took over) is an `Error` value with a code the caller acts on, returned
// in a `Result` where the caller decides. Configuration errors and broken invariants are
// exceptions; so is an Error that reaches a layer which cannot act on it (`raise()`), to
// be caught by the session loop, which retries what `retriable()` allows.
//
// Result is our own type rather than std::expected: clang-14, which the fuzzers are built
// with, cannot compile libstdc++ 12's <expected>, and the decoders it fuzzes use this.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

// Bad configuration or usage: exit code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A runtime failure that retrying will not fix: exit code 1.
class FatalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A connection-level failure: the caller may reconnect and resume from the checkpoint.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Connecting failed, as opposed to an established connection lost: `end` ("source",
// "sink") is the side, `address` its host:port, `reason` the client library's message.
class ConnectFailedError : public ConnectionError {
 public:
  ConnectFailedError(std::string end, std::string address, std::string reason)
      : ConnectionError(end + ": cannot connect to " + address + ": " + reason),
        end_(std::move(end)),
        address_(std::move(address)),
        reason_(std::move(reason)) {}
  const std::string& end() const { return end_; }
  const std::string& address() const { return address_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string end_;
  std::string address_;
  std::string reason_;
};

enum class Errc : uint8_t {
  kConnectFailed,         // no connection could be made
  kConnectionLost,        // an established connection dropped
  kSerializationFailure,  // the server aborted the transaction to keep it serializable
  kDeadlock,              // the server chose this transaction as a deadlock victim
  kFenced,                // another worker holds what this one was writing (a Kafka partition)
  kUniqueViolation,       // a unique index refused the row
  kRefused,               // the server refused the statement (syntax, permission, type)
  kBadInput,              // data sluice cannot read
};

std::string_view errc_name(Errc code);

class Error {
 public:
  // `server_code`: the SQLSTATE or MySQL errno the server gave, empty when none.
  Error(Errc code, std::string message, std::string server_code = {})
      : code_(code), message_(std::move(message)), server_code_(std::move(server_code)) {}

  Errc code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& server_code() const { return server_code_; }

  // A new attempt (a new session from the durable position) can succeed.
  bool retriable() const {
    switch (code_) {
      case Errc::kConnectFailed:
      case Errc::kConnectionLost:
      case Errc::kSerializationFailure:
      case Errc::kDeadlock:
      case Errc::kFenced:
        return true;
      case Errc::kUniqueViolation:
      case Errc::kRefused:
      case Errc::kBadInput:
        return false;
    }
    return false;
  }

  // For a layer that cannot act on the error: ConnectionError when retriable, else
  // FatalError, both with the message.
  [[noreturn]] void raise() const {
    if (retriable()) throw ConnectionError(message_);
    throw FatalError(message_);
  }

 private:
  Errc code_;
  std::string message_;
  std::string server_code_;
};

// A value or the Error that prevented it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }

  // The value, or the error raised (Error::raise) for a caller that does not decide.
  T value_or_raise() && {
    if (!ok()) error().raise();
    return std::get<0>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }
  void value_or_raise() const {
    if (error_) error_->raise();
  }

 private:
  std::optional<Error> error_;
};

}  // namespace sluice
