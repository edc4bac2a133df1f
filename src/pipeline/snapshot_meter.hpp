#pragma once
// Wraps a snapshot consumer to publish its progress: rows copied, the catalog's estimate
// and completion per table (sluice_snapshot_* metrics, /status, the terminal display),
// and to end the snapshot when a stop is requested.

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>

#include "source/source.hpp"

namespace sluice {

// Thrown through the source's copy when a stop is requested during the snapshot. Every
// table's load rolls back or has committed whole, and no checkpoint says the snapshot is
// complete, so the next run takes it again from the start.
class SnapshotStopped : public std::exception {
 public:
  explicit SnapshotStopped(const char* what = "stopped during the snapshot") : what_(what) {}
  const char* what() const noexcept override { return what_; }

 private:
  const char* what_;
};

class SnapshotMeter : public SnapshotConsumer {
 public:
  // `stop_requested` is asked before each chunk of rows.
  SnapshotMeter(SnapshotConsumer& inner, std::function<bool()> stop_requested)
      : inner_(inner), stop_requested_(std::move(stop_requested)) {}

  void expect_rows(const TableSchemaPtr& table, uint64_t estimated_rows) override;
  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override;

  uint64_t rows() const { return rows_; }
  uint64_t tables() const { return tables_; }

 private:
  SnapshotConsumer& inner_;
  std::function<bool()> stop_requested_;
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> tables_{0};
};

}  // namespace sluice
