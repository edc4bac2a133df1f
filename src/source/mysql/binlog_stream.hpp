#pragma once
// The binlog transport: a replica connection (COM_BINLOG_DUMP) through MariaDB
// Connector/C's mariadb_rpl API, which does the framing and checksum checks. Values are
// decoded by our own code (binlog_row_decoder), never by mariadb_rpl_extract_rows
// (PROTOCOLS.md lists its failures).

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

#include "core/position.hpp"
#include "mysqlclient/mysql_connection.hpp"

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
  // The connector's parse of the event, for ROTATE, QUERY and GTID fields.
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

  std::unique_ptr<MySqlConnection> conn_;
  MARIADB_RPL* rpl_ = nullptr;
  MARIADB_RPL_EVENT* event_ = nullptr;
  BinlogEvent current_;
  std::string start_;  // for messages: the file, or the GTIDs, it started from
  bool is_mariadb_ = true;
  bool checksums_ = true;
};

// Event type codes sluice acts on (MariaDB sql/log_event.h, MySQL binlog_event.h).
enum BinlogEventType : uint8_t {
  kQueryEvent = 2,
  kRotateEvent = 4,
  kFormatDescriptionEvent = 15,
  kXidEvent = 16,
  kTableMapEvent = 19,
  kHeartbeatEvent = 27,
  kMySqlGtidEvent = 33,
  kMariaDbGtidEvent = 162,
  kMariaDbGtidListEvent = 163,
};

}  // namespace sluice::mysql
