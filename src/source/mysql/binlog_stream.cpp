#include "source/mysql/binlog_stream.hpp"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysqld_error.h>

#include "core/error.hpp"

namespace sluice::mysql {
namespace {

constexpr size_t kStatusByte = 1;  // the OK byte before every event packet
constexpr size_t kCommonHeader = 19;
constexpr size_t kChecksumBytes = 4;
// A dump that sends nothing (no events, no heartbeats) for this long is dead.
constexpr unsigned kReadTimeoutSeconds = 60;

uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

MySqlUrl with_read_timeout(MySqlUrl url) {
  url.options.emplace_back("read-timeout", std::to_string(kReadTimeoutSeconds));
  return url;
}

}  // namespace

BinlogStream::BinlogStream(const MySqlUrl& url, uint32_t server_id, const BinlogPosition& start,
                           std::chrono::milliseconds heartbeat)
    : start_(start.file.empty() ? "GTID " + start.gtid_set : start.file) {
  conn_ = std::make_unique<MySqlConnection>(with_read_timeout(url), "source binlog");
  is_mariadb_ = conn_->is_mariadb();
  // The server refuses a checksum-unaware replica, and without the capability MariaDB
  // turns its GTID events into dummy QUERY events (PROTOCOLS.md).
  conn_->exec("SET @master_binlog_checksum = @@global.binlog_checksum");
  // Every event carries a checksum then, even the artificial ROTATE sent before the
  // format description (which is where the connector learns of checksums).
  checksums_ = conn_->scalar("SELECT @@global.binlog_checksum").value_or("NONE") != "NONE";
  if (is_mariadb_) conn_->exec("SET @mariadb_slave_capability = 4");
  // MariaDB's GTID resume: with a connect state and no file name, the server starts
  // after those GTIDs in whichever binlog holds them.
  if (is_mariadb_ && start.file.empty())
    conn_->exec("SET @slave_connect_state = " + conn_->quote_literal(start.gtid_set));
  conn_->exec(fmt::format("SET @master_heartbeat_period = {}",
                          std::chrono::nanoseconds(heartbeat).count()));
  rpl_ = mariadb_rpl_init(conn_->raw());
  if (rpl_ == nullptr) throw ConnectionError("source binlog: out of memory");
  unsigned long position = static_cast<unsigned long>(start.offset);
  uint32_t flags = MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS;
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FILENAME, start.file.c_str(), start.file.size());
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_START, position);
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_SERVER_ID, server_id);
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FLAGS, flags);
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_VERIFY_CHECKSUM, 1);
  if (mariadb_rpl_open(rpl_) != 0) fail();
}

BinlogStream::~BinlogStream() {
  if (event_ != nullptr) mariadb_free_rpl_event(event_);
  if (rpl_ != nullptr) mariadb_rpl_close(rpl_);
}

void BinlogStream::fail() {
  unsigned code = mysql_errno(conn_->raw());
  std::string message = mysql_error(conn_->raw());
  if (code == 0) {
    code = mariadb_rpl_errno(rpl_);
    message = mariadb_rpl_error(rpl_);
  }
  if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG &&
      (message.find("first log file name") != std::string::npos ||
       message.find("purged") != std::string::npos ||
       message.find("not found") != std::string::npos))
    throw ConfigError(fmt::format(
        "source: binlog {} is no longer on the server ({}): changes since the checkpoint are lost "
        "to sluice; run `sluice reset -c FILE` and start again (a new snapshot)",
        start_, message));
  std::string text = fmt::format("source binlog: {} (error {})", message, code);
  if (is_connection_lost_error(code) || code == 0) throw ConnectionError(text);
  throw FatalError(text);
}

const BinlogEvent& BinlogStream::next() {
  MARIADB_RPL_EVENT* fetched = mariadb_rpl_fetch(rpl_, event_);
  if (fetched == nullptr) {
    event_ = nullptr;  // the connector frees the event it was given when it fails
    fail();
  }
  event_ = fetched;
  const uint8_t* raw = event_->raw_data;
  size_t size = event_->raw_data_size;
  if (size < kStatusByte + kCommonHeader)
    throw FatalError(fmt::format("source binlog: event packet of {} bytes", size));
  const uint8_t* header = raw + kStatusByte;
  uint32_t event_length = le32(header + 9);
  size_t body_end = std::min<size_t>(size, kStatusByte + event_length);
  if (checksums_) body_end -= kChecksumBytes;
  if (body_end < kStatusByte + kCommonHeader)
    throw FatalError(fmt::format("source binlog: event of {} bytes", event_length));
  current_.type = header[4];
  current_.timestamp = le32(header);
  current_.server_id = le32(header + 5);
  current_.length = event_length;
  current_.end_offset = le32(header + 13);
  current_.flags = static_cast<uint16_t>(header[17] | header[18] << 8);
  current_.body =
      std::span<const uint8_t>(header + kCommonHeader, body_end - kStatusByte - kCommonHeader);
  current_.parsed = event_;
  return current_;
}

}  // namespace sluice::mysql
