#pragma once
// Fuzz target body: one chunk of COPY text rows, as snapshots and the Kafka publisher
// parse the source's copy output.

#include "copytext/copy_text_parser.hpp"
#include "core/error.hpp"
#include "fuzz_input.hpp"
#include "row_touch.hpp"

namespace sluice::fuzz {

inline void run_copy_text(std::span<const uint8_t> data) {
  CopyTextParser parser(as_text(data));
  Row row;
  try {
    while (parser.next(row)) touch(row);
  } catch (const FatalError&) {
  }
}

}  // namespace sluice::fuzz
