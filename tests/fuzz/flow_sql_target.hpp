#pragma once
// Fuzz target body: a flow's SQL through the parser, as the pipeline loader hands it
// over. Input: the SQL text.

#include "core/error.hpp"
#include "fuzz_input.hpp"
#include "transform/flow_parser.hpp"

namespace sluice::fuzz {

inline void run_flow_sql(std::span<const uint8_t> data) {
  try {
    (void)transform::parse_flow_sql(as_text(data), 1);
  } catch (const ConfigError&) {
  }
}

}  // namespace sluice::fuzz
