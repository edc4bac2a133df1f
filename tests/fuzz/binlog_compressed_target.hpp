#pragma once
// Fuzz target body: compressed binlog events, unpacked as the binlog stream does and the
// plain events handed on like the MySQL source's. Input: the event type byte (165-171
// MariaDB's compressed QUERY and rows events, 40 MySQL's TRANSACTION_PAYLOAD), a
// FuzzInput frame with a TABLE_MAP body for MariaDB's rows to be decoded against (may be
// empty; a payload carries its own), then the compressed event's body. A payload's events follow
// each other with their 19-byte common headers (type at byte 4, whole length at bytes 9-12).

#include "binlog_events.hpp"
#include "core/error.hpp"
#include "fuzz_input.hpp"
#include "source/mysql/binlog_compression.hpp"

namespace sluice::fuzz {

namespace detail {

// The events of an unpacked TRANSACTION_PAYLOAD, up to the first that does not fit (the
// stream rejects that one; the decoders are what is under test here).
inline void on_payload_events(std::span<const uint8_t> events, PlainEvents& plain) {
  constexpr size_t kCommonHeader = 19;
  while (events.size() >= kCommonHeader) {
    uint32_t length = events[9] | events[10] << 8 | events[11] << 16 | uint32_t{events[12]} << 24;
    if (length < kCommonHeader || length > events.size()) return;
    plain.on_event(events[4], events.subspan(kCommonHeader, length - kCommonHeader));
    events = events.subspan(length);
  }
}

}  // namespace detail

inline void run_binlog_compressed(std::span<const uint8_t> data) {
  FuzzInput in(data);
  uint8_t type = in.byte();
  std::span<const uint8_t> table_map = in.frame();
  std::span<const uint8_t> body = in.rest();
  bool payload = type == mysql::kTransactionPayloadEvent;
  PlainEvents plain(payload ? mysql::BinlogFlavor::kMySql : mysql::BinlogFlavor::kMariaDb, {});
  try {
    if (payload) {
      detail::on_payload_events(mysql::uncompress_transaction_payload(body), plain);
    } else if (std::optional<uint8_t> plain_type = mysql::plain_type_of_compressed(type)) {
      if (!table_map.empty()) plain.on_event(19, table_map);
      std::vector<uint8_t> inflated = mysql::uncompress_event_body(type, body);
      plain.on_event(*plain_type, inflated);
    }
  } catch (const FatalError&) {
  }
}

}  // namespace sluice::fuzz
