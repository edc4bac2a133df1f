#pragma once
// Wraps a snapshot consumer to publish its progress: rows copied, the catalog's estimate
// and completion per table (sluice_snapshot_* metrics, /status, the terminal display).

#include <atomic>
#include <cstdint>

#include "source/source.hpp"

namespace sluice {

class SnapshotMeter : public SnapshotConsumer {
 public:
  explicit SnapshotMeter(SnapshotConsumer& inner) : inner_(inner) {}

  void expect_rows(const TableSchemaPtr& table, uint64_t estimated_rows) override;
  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override;

  uint64_t rows() const { return rows_; }
  uint64_t tables() const { return tables_; }

 private:
  SnapshotConsumer& inner_;
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> tables_{0};
};

}  // namespace sluice
