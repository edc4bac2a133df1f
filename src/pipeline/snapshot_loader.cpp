#include "pipeline/snapshot_loader.hpp"

#include <algorithm>

namespace sluice {
namespace {

// Counts the rows passing through, for the completion log.
class CountingReader : public CopyTextReader {
 public:
  explicit CountingReader(CopyTextReader& inner) : inner_(inner) {}
  std::optional<std::string_view> next_chunk() override {
    std::optional<std::string_view> chunk = inner_.next_chunk();
    if (chunk) rows_ += static_cast<uint64_t>(std::count(chunk->begin(), chunk->end(), '\n'));
    return chunk;
  }
  uint64_t rows() const { return rows_; }

 private:
  CopyTextReader& inner_;
  uint64_t rows_ = 0;
};

}  // namespace

void SnapshotLoader::load_table(const TableSchemaPtr& table, CopyTextReader& rows) {
  CountingReader counting(rows);
  sink_.load_snapshot(*table, counting);
  rows_ += counting.rows();
  ++tables_;
}

}  // namespace sluice
