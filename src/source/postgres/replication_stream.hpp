#pragma once
// The walsender side of logical replication over libpq: slot creation with an exported
// snapshot, START_REPLICATION, CopyData framing, keepalives and standby status updates.
// Reference: PostgreSQL docs, "Streaming Replication Protocol".

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/position.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice::pg {

struct CreatedSlot {
  Lsn consistent_point;
  std::string snapshot_name;  // valid until the next command on this connection
};

class ReplicationStream {
 public:
  explicit ReplicationStream(const std::string& url);
  ~ReplicationStream();
  ReplicationStream(const ReplicationStream&) = delete;
  ReplicationStream& operator=(const ReplicationStream&) = delete;

  bool slot_exists(const std::string& slot);
  void drop_slot(const std::string& slot);
  CreatedSlot create_slot(const std::string& slot);
  void start(const std::string& slot, const std::string& publication, Lsn from);

  // The next pgoutput message, or nullopt when none arrived before the deadline.
  // Answers keepalives on the way. Throws ConnectionError when the stream breaks.
  std::optional<std::span<const uint8_t>> next_message(
      std::chrono::steady_clock::time_point deadline);

  // Reports `flushed` as durable; the server may recycle WAL before it.
  void send_status(Lsn flushed, bool request_reply);
  // Sends a status update when one is due (every 10 s), keeping wal_sender_timeout away.
  void maybe_send_status();
  void set_flushed(Lsn flushed) { flushed_ = flushed; }

  // The server's sent position from the latest keepalive: every change committed before
  // it has been delivered ahead of the keepalive itself.
  Lsn keepalive_wal_end() const { return wal_end_; }
  // Start LSN of the XLogData that carried the latest message.
  Lsn message_lsn() const { return message_lsn_; }

 private:
  bool wait_readable(std::chrono::steady_clock::time_point deadline);
  void handle_keepalive(std::span<const uint8_t> data);

  PgConnection conn_;
  char* buffer_ = nullptr;
  Lsn flushed_;
  Lsn wal_end_;
  Lsn message_lsn_;
  std::chrono::steady_clock::time_point last_status_;
};

}  // namespace sluice::pg
