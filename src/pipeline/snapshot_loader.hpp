#pragma once
// Mirror-mode snapshot: each source table's COPY text goes straight into its
// destination table, with no parsing in between.

#include "sink/sink.hpp"
#include "source/source.hpp"

namespace sluice {

class SnapshotLoader : public SnapshotConsumer {
 public:
  explicit SnapshotLoader(Sink& sink) : sink_(sink) {}

  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override {
    sink_.load_snapshot(*table, rows);
  }

 private:
  Sink& sink_;
};

}  // namespace sluice
