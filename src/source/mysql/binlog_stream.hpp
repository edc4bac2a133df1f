#pragma once
// The binlog transport: a replica connection (COM_BINLOG_DUMP) through MariaDB
// Connector/C's mariadb_rpl API, which does the framing and checksum checks. Values are
// decoded by our own code (binlog_row_decoder), never by mariadb_rpl_extract_rows
// (docs/protocols.md lists its failures). Compressed events come
// out as the ordinary events they stand for (binlog_compression.hpp).

// mariadb_rpl.h needs mysql.h first.
// clang-format off
#include <mysql.h>
#include <mariadb_rpl.h>
// clang-format on

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/position.hpp"
#include "mysqlclient/mysql_connection.hpp"
#include "source/mysql/binlog_event_types.hpp"

namespace sluice::mysql {

// One event as read off the wire. Valid until the next call to BinlogStream::next().
struct BinlogEvent {
  uint8_t type = 0;
  uint32_t timestamp = 0;   // seconds since the Unix epoch, when the statement started
  uint32_t end_offset = 0;  // offset just past this event in its file; 0 for artificial ones
  uint32_t length = 0;      // the whole event, header and checksum included
  uint32_t server_id = 0;
  uint16_t flags = 0;
  // After the 19-byte common header, without the checksum: what the decoders take.
  std::span<const uint8_t> body;
  // The connector's parse of the event, for MariaDB's GTID fields; null for an event
  // unpacked from a TRANSACTION_PAYLOAD or inflated from a MariaDB compressed event. Events
  // unpacked from a payload have no place of their own in the file: they carry the
  // payload's end_offset and length.
  const MARIADB_RPL_EVENT* parsed = nullptr;
};

class BinlogStream {
 public:
  // Opens a dump from `start` (file and offset; on MariaDB, an empty file resumes after
  // start.gtid_set instead). Heartbeats arrive every `heartbeat` while
  // the server has nothing to send, so next() returns even when the source is idle.
  BinlogStream(const MySqlUrl& url, uint32_t server_id, const BinlogPosition& start,
               std::chrono::milliseconds heartbeat);
  ~BinlogStream();
  BinlogStream(const BinlogStream&) = delete;
  BinlogStream& operator=(const BinlogStream&) = delete;

  // Blocks until the next event (a heartbeat at the latest). Throws ConnectionError when
  // the server goes away, ConfigError when the start position is no longer in the
  // binlog (purged), FatalError for other server errors.
  const BinlogEvent& next();

  bool is_mariadb() const { return is_mariadb_; }

 private:
  [[noreturn]] void fail();
  void fetch();
  // Turns a compressed event in current_ into its plain form; false for a payload that
  // holds no event.
  bool uncompress();
  // Makes current_ the next event of the payload being unpacked; false at its end.
  bool next_in_payload();

  std::unique_ptr<MySqlConnection> conn_;
  MARIADB_RPL* rpl_ = nullptr;
  MARIADB_RPL_EVENT* event_ = nullptr;
  BinlogEvent current_;
  std::vector<uint8_t> uncompressed_;  // the body, or the payload's events, current_ points into
  size_t payload_next_ = 0;            // offset of the next event in a payload being unpacked
  bool in_payload_ = false;
  uint32_t payload_end_offset_ = 0;
  uint32_t payload_length_ = 0;
  std::string start_;  // for messages: the file, or the GTIDs, it started from
  bool is_mariadb_ = true;
  bool checksums_ = true;
};

}  // namespace sluice::mysql
