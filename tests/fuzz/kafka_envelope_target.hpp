#pragma once
// Fuzz target body: Kafka messages through one ChangeDecoder, as apply reads a topic
// (sluice's envelope and Debezium's, which the decoder tells apart itself), and each
// value through decode_schema, as apply reads the position topic. Input: one message a
// line, "key<TAB>value" or a value alone (JSON text never holds a raw newline or tab
// inside a string). Apply stops at the first FatalError, so the run does too.

#include "core/error.hpp"
#include "fuzz_input.hpp"
#include "row_touch.hpp"
#include "transport/kafka/change_codec.hpp"

namespace sluice::fuzz {

inline void run_kafka_envelope(std::span<const uint8_t> data) {
  std::string_view rest = as_text(data);
  kafka::ChangeDecoder decoder;
  Change change;
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    size_t tab = line.find('\t');
    std::string_view key = tab == std::string_view::npos ? std::string_view() : line.substr(0, tab);
    std::string_view value = tab == std::string_view::npos ? line : line.substr(tab + 1);
    try {
      (void)kafka::decode_schema(value, "fuzz-positions");
    } catch (const FatalError&) {
    }
    try {
      if (decoder.decode(key, value, kafka::MessagePlace("fuzz", 0, 0), change)) {
        touch(change.before);
        touch(change.after);
      }
    } catch (const FatalError&) {
      return;
    }
  }
}

}  // namespace sluice::fuzz
