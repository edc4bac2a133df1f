#pragma once
// Mirror-mode snapshot: each source table's COPY text goes straight into its
// destination table, with no parsing in between.

#include <atomic>

#include "sink/sink.hpp"
#include "source/source.hpp"

namespace sluice {

class SnapshotLoader : public SnapshotConsumer {
 public:
  explicit SnapshotLoader(Sink& sink) : sink_(sink) {}

  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override;

  uint64_t rows() const { return rows_; }
  uint64_t tables() const { return tables_; }

 private:
  Sink& sink_;
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> tables_{0};
};

}  // namespace sluice
