#include "source/mysql/binlog_stream.hpp"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysqld_error.h>

#include "core/byte_order.hpp"
#include "core/error.hpp"
#include "source/mysql/binlog_compression.hpp"

namespace sluice::mysql {
namespace {

constexpr size_t kStatusByte = 1;  // the OK byte before every event packet
constexpr size_t kCommonHeader = 19;
constexpr size_t kChecksumBytes = 4;
// A dump that sends nothing (no events, no heartbeats) for this long is dead.
constexpr unsigned kReadTimeoutSeconds = 60;

uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(load_le(p, 4));
}

// The common header: u32 timestamp, u8 type, u32 server id, u32 length, u32 end offset,
// u16 flags.
BinlogEvent read_header(const uint8_t* header) {
  BinlogEvent event;
  event.type = header[4];
  event.timestamp = le32(header);
  event.server_id = le32(header + 5);
  event.end_offset = le32(header + 13);
  event.flags = static_cast<uint16_t>(load_le(header + 17, 2));
  return event;
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
  // turns its GTID events into dummy QUERY events (docs/protocols.md).
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
  if (in_payload_ && next_in_payload()) return current_;
  do fetch();
  while (!uncompress());
  return current_;
}

void BinlogStream::fetch() {
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
  current_ = read_header(header);
  current_.length = event_length;
  current_.body =
      std::span<const uint8_t>(header + kCommonHeader, body_end - kStatusByte - kCommonHeader);
  current_.parsed = event_;
}

bool BinlogStream::uncompress() {
  try {
    if (current_.type == kTransactionPayloadEvent) {
      uncompressed_ = uncompress_transaction_payload(current_.body);
      payload_next_ = 0;
      payload_end_offset_ = current_.end_offset;
      payload_length_ = current_.length;
      in_payload_ = true;
      return next_in_payload();
    }
    if (std::optional<uint8_t> plain = plain_type_of_compressed(current_.type)) {
      uncompressed_ = uncompress_event_body(current_.type, current_.body);
      current_.type = *plain;
      current_.body = uncompressed_;
      current_.parsed = nullptr;
    }
    return true;
  } catch (const FatalError& e) {
    throw FatalError(fmt::format("source binlog: event type {} ending at {}: {}", current_.type,
                                 current_.end_offset, e.what()));
  }
}

bool BinlogStream::next_in_payload() {
  std::span<const uint8_t> rest = std::span<const uint8_t>(uncompressed_).subspan(payload_next_);
  if (rest.empty()) {
    in_payload_ = false;
    return false;
  }
  uint32_t length = rest.size() >= kCommonHeader ? le32(rest.data() + 9) : 0;
  if (length < kCommonHeader || length > rest.size())
    throw FatalError(fmt::format(
        "source binlog: TRANSACTION_PAYLOAD ending at {} holds a malformed event at byte {}",
        payload_end_offset_, payload_next_));
  current_ = read_header(rest.data());
  current_.end_offset = payload_end_offset_;
  current_.length = payload_length_;
  current_.body = rest.subspan(kCommonHeader, length - kCommonHeader);
  current_.parsed = nullptr;
  payload_next_ += length;
  return true;
}

}  // namespace sluice::mysql
