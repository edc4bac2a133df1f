#pragma once
// QUERY events, read from their bytes: those unpacked from a MySQL TRANSACTION_PAYLOAD and
// those inflated from MariaDB's QUERY_COMPRESSED have no parse by the connector.

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::mysql {

struct QueryEvent {
  std::string_view database;  // the session's default database, may be empty
  std::string_view statement;
};

// `body` is the event after its 19-byte common header, without the checksum: post-header
// (u32 thread id, u32 execution time, u8 database length, u16 error code, u16 status
// variables length), the status variables, the database name and a NUL, then the
// statement to the end. The views point into `body`. Throws FatalError when truncated.
QueryEvent parse_query_event(std::span<const uint8_t> body);

}  // namespace sluice::mysql
