#include "pipeline/row_collector.hpp"

#include <utility>

#include "core/copy_text_parser.hpp"

namespace sluice {

void RowCollector::load_table(const TableSchemaPtr& table, CopyTextReader& rows) {
  CollectedTable collected{table, {}};
  Row row;
  while (std::optional<std::string_view> chunk = rows.next_chunk()) {
    CopyTextParser parser(*chunk);
    while (parser.next(row)) collected.rows.push_back(row);
  }
  std::lock_guard lock(mutex_);
  tables_.push_back(std::move(collected));
}

std::vector<CollectedTable> RowCollector::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(tables_, {});
}

}  // namespace sluice
