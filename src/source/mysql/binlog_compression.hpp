#pragma once
// Compressed binlog events, turned back into the ordinary events they stand for.
//
// MariaDB, log_bin_compress=ON: a query event whose statement is at least
// log_bin_compress_min_len bytes becomes QUERY_COMPRESSED (165), and a rows event whose row
// data is becomes WRITE/UPDATE/DELETE_ROWS_COMPRESSED (166-168 for v1, 169-171 for v2).
// Only one part of the body is compressed, the rest is as in the plain event:
//   query:  post-header (13 bytes), status variables, database name and its NUL, then the
//           compressed statement (to the end of the body);
//   rows:   post-header (table id, flags; v2: the extra data), column count, column
//           bitmap(s), then the compressed row data (to the end of the body).
// A compressed part is one header byte (bit 7 set; bits 4-6 the algorithm, 0 = zlib;
// bits 0-2 the number n of length bytes), the uncompressed length in n bytes big-endian,
// then a zlib stream (RFC 1950, with its header and Adler-32).
//
// MySQL 8, binlog_transaction_compression=ON: a transaction after its GTID event is one
// TRANSACTION_PAYLOAD event (40). Its body has no post-header: fields of (type, length,
// value), each a length-encoded integer, until type 0 (end of header): 1 = payload size,
// 2 = compression type (0 zstd, 255 none), 3 = uncompressed size; unknown types are
// skipped by their length. Then the payload: a zstd frame holding the transaction's
// ordinary events back to back, each with its own 19-byte common header (whose length
// field counts header and body) and without a checksum.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sluice::mysql {

inline constexpr uint8_t kTransactionPayloadEvent = 40;

// The plain type a MariaDB compressed type stands for (165 -> 2, 166 -> 23, ...).
std::optional<uint8_t> plain_type_of_compressed(uint8_t event_type);

// The body of the plain event that the compressed event `body` (after the common header,
// without the checksum) stands for. Throws FatalError on malformed data.
std::vector<uint8_t> uncompress_event_body(uint8_t event_type, std::span<const uint8_t> body);

// The events of a TRANSACTION_PAYLOAD body, back to back as described above. Throws
// FatalError on malformed data or an unknown compression type.
std::vector<uint8_t> uncompress_transaction_payload(std::span<const uint8_t> body);

}  // namespace sluice::mysql
