#pragma once
// Error types. Unrecoverable conditions throw one of these with enough context (file,
// line, table, column, position) for a one-line message; expected failures such as a
// dropped connection are returned as std::expected values instead.

#include <stdexcept>
#include <string>
#include <utility>

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

}  // namespace sluice
