#pragma once
// Error types. Unrecoverable conditions throw one of these with enough context (file,
// line, table, column, position) for a one-line message; expected failures such as a
// dropped connection are returned as std::expected values instead.

#include <stdexcept>
#include <string>

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

}  // namespace sluice
