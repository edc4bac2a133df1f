#include "sink/postgres/s3_snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "copytext/copy_rows.hpp"
#include "core/error.hpp"

namespace sluice::warehouse {

SnapshotHead::SnapshotHead(CopyTextReader& rows, size_t min_rows, size_t max_bytes) : rows_(rows) {
  size_t head_rows = 0;
  size_t head_bytes = 0;
  while (head_rows < min_rows && head_bytes < max_bytes) {
    std::optional<std::string_view> chunk = rows_.next_chunk();
    if (!chunk) {
      ended_ = true;
      return;
    }
    // A chunk is whole lines, one row each (COPY text escapes newlines in values).
    head_rows += static_cast<size_t>(std::ranges::count(*chunk, '\n'));
    head_bytes += chunk->size();
    chunks_.emplace_back(*chunk);
  }
}

std::optional<std::string_view> SnapshotHead::next_chunk() {
  if (!chunks_.empty()) {
    current_ = std::move(chunks_.front());
    chunks_.pop_front();
    return current_;
  }
  current_ = std::string();  // frees the head's last chunk
  if (ended_) return std::nullopt;
  return rows_.next_chunk();
}

SnapshotCsvPart::SnapshotCsvPart(const TableSchema& table, SnapshotPartLimits limits)
    : table_(table), limits_(limits), writer_(table) {}

void SnapshotCsvPart::add(const Row& row) {
  if (row.size() != table_.columns.size())
    throw FatalError(fmt::format("snapshot of {}: a row has {} fields for {} columns",
                                 table_.qualified_name(), row.size(), table_.columns.size()));
  write_row_fields(row, writer_);
  ++rows_;
}

void SnapshotCsvPart::clear() {
  writer_.buffer.clear();
  rows_ = 0;
}

std::vector<std::string> upload_snapshot_parts(S3Staging& s3, const TableSchema& table,
                                               CopyTextReader& rows, SnapshotPartLimits limits) {
  std::vector<std::string> urls;
  SnapshotCsvPart part(table, limits);
  for_each_copy_row(rows, [&](const Row& row) {
    part.add(row);
    if (!part.full()) return;
    urls.push_back(s3.upload(part.csv()).value_or_raise());
    part.clear();
  });
  if (part.rows() > 0) urls.push_back(s3.upload(part.csv()).value_or_raise());
  return urls;
}

}  // namespace sluice::warehouse
