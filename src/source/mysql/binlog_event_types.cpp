#include "source/mysql/binlog_event_types.hpp"

#include <fmt/format.h>

namespace sluice::mysql {
namespace {

constexpr uint16_t kIgnorableEventFlag = 0x80;  // LOG_EVENT_IGNORABLE_F

// Types that carry no row changes: stream framing, server bookkeeping, the context of
// statement-based events (whose statements sluice warns about), and rows-query text.
bool carries_no_rows(uint8_t event_type) {
  switch (event_type) {
    case 1:    // START_EVENT_V3
    case 3:    // STOP
    case 5:    // INTVAR
    case 13:   // RAND
    case 14:   // USER_VAR
    case 15:   // FORMAT_DESCRIPTION
    case 27:   // HEARTBEAT
    case 28:   // IGNORABLE
    case 29:   // ROWS_QUERY
    case 34:   // ANONYMOUS_GTID
    case 35:   // PREVIOUS_GTIDS
    case 36:   // TRANSACTION_CONTEXT
    case 37:   // VIEW_CHANGE
    case 41:   // HEARTBEAT_V2
    case 160:  // ANNOTATE_ROWS
    case 161:  // BINLOG_CHECKPOINT
    case 163:  // GTID_LIST
    case 164:  // START_ENCRYPTION
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> unhandled_event_problem(uint8_t event_type, uint16_t flags) {
  if (carries_no_rows(event_type)) return std::nullopt;
  switch (event_type) {
    case 39:
      return "a PARTIAL_UPDATE_ROWS event (binlog_row_value_options=PARTIAL_JSON), which sluice "
             "cannot decode: SET GLOBAL binlog_row_value_options='' (and in the server's "
             "configuration), then run `sluice reset` for a new snapshot";
    case 20:
    case 21:
    case 22:
      return "a pre-GA rows event (MySQL 5.1.0-5.1.15), which sluice cannot decode";
    case 42:
      // MySQL 8.4's tagged GTIDs (uuid:tag:n): another serialization, and a GTID set
      // holding them has no untagged form for the checkpoint.
      return "a transaction with a tagged GTID (MySQL 8.4 gtid_next='AUTOMATIC:tag'), which "
             "sluice does not read: use untagged GTIDs for the captured tables' writes";
    case 26:
      return "an INCIDENT event: the server says changes are missing from the binlog; run "
             "`sluice reset` for a new snapshot";
    case 6:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 17:
    case 18:
      return fmt::format(
          "a statement-based LOAD DATA event (type {}), whose rows sluice cannot see: set "
          "binlog_format=ROW for every session, then run `sluice reset` for a new snapshot",
          event_type);
    default:
      if ((flags & kIgnorableEventFlag) != 0) return std::nullopt;
      return fmt::format(
          "binlog event type {}, which sluice does not know and the server did not mark "
          "ignorable: it may carry changes, so sluice stops rather than pass over it",
          event_type);
  }
}

}  // namespace sluice::mysql
