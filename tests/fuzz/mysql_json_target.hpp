#pragma once
// Fuzz target body: one MySQL binary JSON document (a JSON column's value) to text.

#include <string>

#include "core/error.hpp"
#include "source/mysql/mysql_json.hpp"

namespace sluice::fuzz {

inline void run_mysql_json(std::span<const uint8_t> data) {
  std::string text;
  try {
    mysql::append_json_text(data, text);
  } catch (const FatalError&) {
  }
}

}  // namespace sluice::fuzz
