#pragma once
// A change is one committed row event; a batch is a run of changes that the sink
// applies in one warehouse transaction (or one chunk of a transaction too large to
// hold in memory, when commit_position is empty).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/id.hpp"
#include "core/position.hpp"
#include "core/row.hpp"
#include "core/schema.hpp"

namespace sluice {

enum class Op : uint8_t { kInsert, kUpdate, kDelete, kTruncate };

std::string_view op_name(Op op);

// Where a change sits in the source log: the WAL LSN of its record (PostgreSQL) or the
// offset of its rows event in the binlog file named by the batch's position.
using SourceOffset = Id<struct SourceOffsetTag, uint64_t>;

struct Change {
  size_t row_bytes() const { return before.text_bytes() + after.text_bytes(); }

  Op op = Op::kInsert;
  TableSchemaPtr table;
  // before: the old key (or the whole old row under REPLICA IDENTITY FULL / MySQL
  // FULL images) for updates and deletes; empty when the source did not send it.
  Row before;
  // after: the new row for inserts and updates.
  Row after;
  int64_t commit_time_us = 0;  // microseconds since the Unix epoch
  uint64_t xid = 0;
  SourceOffset source_offset;
};

// A source row a flow could not transform, kept in the warehouse instead of stopping the
// pipeline. `row_json` holds the input row with every value masked.
struct DeadLetter {
  std::string flow;
  std::string error;
  std::string source_position;
  std::string row_json;
};

struct ChangeBatch {
  std::vector<Change> changes;
  std::vector<DeadLetter> dead_letters;
  // Set when the batch ends on a source transaction boundary: the sink commits its
  // warehouse transaction together with this position. Unset: more of the same
  // source transaction follows and the warehouse transaction stays open.
  std::optional<Position> commit_position;
  int64_t last_commit_time_us = 0;
  // The text bytes of the rows read into the batch, counted by whatever appends them (a
  // source, or Kafka apply for the changes it decoded): what batch.max_bytes bounds.
  size_t row_bytes = 0;

  void clear() {
    changes.clear();
    row_bytes = 0;
    dead_letters.clear();
    commit_position.reset();
    last_commit_time_us = 0;
  }
};

}  // namespace sluice
