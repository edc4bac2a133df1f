#pragma once
// Binlog event type codes (MariaDB sql/log_event.h, MySQL binlog_event.h), and which of
// the types sluice does not act on it may pass over.

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::mysql {

// Event type codes sluice acts on.
enum BinlogEventType : uint8_t {
  kQueryEvent = 2,
  kRotateEvent = 4,
  kFormatDescriptionEvent = 15,
  kXidEvent = 16,
  kTableMapEvent = 19,
  kHeartbeatEvent = 27,
  kMySqlGtidEvent = 33,
  kXaPrepareEvent = 38,
  kMySqlTaggedGtidEvent = 42,
  kMariaDbGtidEvent = 162,
  kMariaDbGtidListEvent = 163,
};

// For an event type sluice has no handler for: nothing when the event carries no rows
// (a heartbeat, a checkpoint, statement context), else why sluice must stop rather than
// pass over it: rows it cannot decode, an incident, or a type it does not know that the
// server did not mark ignorable (LOG_EVENT_IGNORABLE_F in `flags`).
std::optional<std::string> unhandled_event_problem(uint8_t event_type, uint16_t flags);

}  // namespace sluice::mysql
