#pragma once
// Flow-mode snapshot: parses each table's COPY text into rows and keeps them until the
// flows, which need every table's schema before they can compile, take them.

#include <mutex>
#include <vector>

#include "source/source.hpp"

namespace sluice {

struct CollectedTable {
  TableSchemaPtr schema;
  std::vector<Row> rows;
};

class RowCollector : public SnapshotConsumer {
 public:
  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override;

  // The tables collected so far; the collector is empty afterwards.
  std::vector<CollectedTable> take();

 private:
  std::mutex mutex_;
  std::vector<CollectedTable> tables_;
};

}  // namespace sluice
