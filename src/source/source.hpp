#pragma once
// The capture side: a source snapshots its tables, then reads committed changes from
// its log, and is told which position the warehouse has made durable.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"
#include "copytext/copy_text_reader.hpp"
#include "core/change.hpp"

namespace sluice {

// Receives the initial copy. Called from several threads at once, one table each.
class SnapshotConsumer {
 public:
  virtual ~SnapshotConsumer() = default;
  // Called for every table to be copied before the first load_table: its size by the
  // source catalog's estimate (0 when the catalog does not know), for the progress
  // display, and its schema, so flows can compile before rows arrive.
  virtual void expect_rows(const TableSchemaPtr& /*table*/, uint64_t /*estimated_rows*/) {}
  virtual void load_table(const TableSchemaPtr& table, CopyTextReader& rows) = 0;
};

// What one read() may gather: the pipeline's batch limits, from the time the read starts.
struct ReadLimits {
  ReadLimits(const BatchConfig& batch, std::chrono::steady_clock::time_point start)
      : max_rows(batch.max_rows), max_bytes(batch.max_bytes), deadline(start + batch.max_delay) {}

  // The batch holds as many changes, or as many bytes of row text, as one read may gather.
  bool full(const ChangeBatch& batch) const {
    return batch.changes.size() >= max_rows || batch.row_bytes >= max_bytes;
  }

  size_t max_rows;
  size_t max_bytes;
  std::chrono::steady_clock::time_point deadline;
  // End the batch at the first transaction end: flows replaying the log into their state
  // decide per transaction whether the warehouse already holds it.
  bool one_transaction = false;
};

enum class ReadStatus : uint8_t {
  kData,      // the batch holds changes (check commit_position for a boundary)
  kIdle,      // nothing arrived before the deadline
  kCaughtUp,  // idle, and everything committed when the run started has been read
};

class Source {
 public:
  virtual ~Source() = default;

  // Connects and prepares the log reader. Without a resume position the source first
  // takes a consistent snapshot of every captured table into `consumer` and returns
  // the position streaming starts from; with one, it resumes there.
  virtual Position start(const std::optional<Position>& resume, SnapshotConsumer& consumer) = 0;

  // The tables being captured, known after start().
  virtual std::vector<TableSchemaPtr> tables() const = 0;

  // Appends changes to `batch` until max_rows is reached, or the deadline passes at a
  // transaction boundary. Sets batch.commit_position when the batch ends at one.
  // Throws ConnectionError when the connection is lost (the pipeline reconnects).
  virtual ReadStatus read(ChangeBatch& batch, const ReadLimits& limits) = 0;

  // The warehouse has durably applied everything up to `position`.
  virtual void acknowledge(const Position& position) = 0;
};

}  // namespace sluice
