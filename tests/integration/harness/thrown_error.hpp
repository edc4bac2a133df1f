#pragma once
// For tests of what a failure becomes: the exception an action throws, by kind and
// message, and Errc values printed by name when an expectation fails.

#include <functional>
#include <ostream>
#include <string>

#include "core/error.hpp"

namespace sluice {

inline void PrintTo(Errc code, std::ostream* os) {
  *os << errc_name(code);
}

namespace test {

// "FatalError: <message>" (or ConnectionError, ConfigError), or "nothing thrown".
inline std::string thrown_by(const std::function<void()>& action) {
  try {
    action();
  } catch (const FatalError& e) {
    return std::string("FatalError: ") + e.what();
  } catch (const ConnectionError& e) {
    return std::string("ConnectionError: ") + e.what();
  } catch (const ConfigError& e) {
    return std::string("ConfigError: ") + e.what();
  }
  return "nothing thrown";
}

}  // namespace test
}  // namespace sluice
