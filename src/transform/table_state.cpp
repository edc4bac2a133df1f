#include "transform/table_state.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::transform {
namespace {

template <typename RowT>
bool encode(const RowT& row, std::span<const size_t> columns, std::string& out) {
  out.clear();
  if (columns.size() == 1) {
    if (row.state(columns[0]) != CellState::kValue) return false;
    out.append(row.text(columns[0]));
    return true;
  }
  for (size_t c : columns) {
    if (row.state(c) != CellState::kValue) return false;
    std::string_view text = row.text(c);
    auto len = static_cast<uint32_t>(text.size());
    char prefix[4];
    std::memcpy(prefix, &len, 4);
    out.append(prefix, 4);
    out.append(text);
  }
  return true;
}

}  // namespace

bool encode_key(const PackedRow& row, std::span<const size_t> columns, std::string& out) {
  return encode(row, columns, out);
}

bool encode_key(const Row& row, std::span<const size_t> columns, std::string& out) {
  for (size_t c : columns)
    if (c >= row.size()) return false;
  return encode(row, columns, out);
}

namespace {

// Single-column keys (the common case) compare their cell directly; composite keys go
// through the same encoding the lookups use.
std::string_view key_text(const PackedRow& row, const std::vector<size_t>& columns,
                          std::string& scratch) {
  if (columns.size() == 1) return row.text(columns[0]);
  encode_key(row, columns, scratch);
  return scratch;
}

thread_local std::string hash_scratch;
thread_local std::string equal_scratch;

}  // namespace

size_t TableState::RowHash::operator()(const PackedRow& row) const {
  return std::hash<std::string_view>{}(key_text(row, *key_columns, hash_scratch));
}

bool TableState::RowEqual::operator()(const PackedRow& a, const PackedRow& b) const {
  std::string other;
  std::string_view first = key_text(a, *key_columns, other);
  return first == key_text(b, *key_columns, equal_scratch);
}

bool TableState::RowEqual::operator()(std::string_view key, const PackedRow& row) const {
  return key == key_text(row, *key_columns, equal_scratch);
}

TableState::TableState(TableSchemaPtr schema)
    : schema_(std::move(schema)),
      key_columns_(schema_->key_indexes()),
      rows_(0, RowHash{&key_columns_}, RowEqual{&key_columns_}) {}

const PackedRow& TableState::put(std::string_view key, PackedRow row) {
  if (PackedRow* existing = find_mutable(key)) {
    *existing = std::move(row);
    return *existing;
  }
  return *rows_.insert(std::move(row)).first;
}

PackedRow TableState::take(std::string_view key) {
  auto it = rows_.find(key);
  if (it == rows_.end()) return {};
  return std::move(rows_.extract(it).value());
}

void ReferenceIndex::add(const std::string& link, const std::string& parent_key) {
  map_[link].push_back(parent_key);
}

void ReferenceIndex::remove(const std::string& link, std::string_view parent_key) {
  auto it = map_.find(link);
  if (it == map_.end()) return;
  auto& keys = it->second;
  auto k = std::ranges::find(keys, parent_key);
  if (k != keys.end()) {
    *k = std::move(keys.back());
    keys.pop_back();
  }
  if (keys.empty()) map_.erase(it);
}

}  // namespace sluice::transform
