#pragma once
// The current rows of one captured table, keyed by primary key, and the reverse index a
// lookup join needs for propagation (child key -> parent rows that reference it).

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/schema.hpp"
#include "transform/packed_row.hpp"

namespace sluice::transform {

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using KeyMap = std::unordered_map<std::string, V, TransparentHash, std::equal_to<>>;

// Encodes `columns` of a row as one lookup key into `out` (one column: its text; more:
// each length-prefixed). False when a column is null: null never matches in a join.
bool encode_key(const PackedRow& row, std::span<const size_t> columns, std::string& out);
bool encode_key(const Row& row, std::span<const size_t> columns, std::string& out);

// Rows are kept in a hash set keyed by their own key cells, so the key text is stored
// once, inside the row (a map would hold it a second time in every node).
class TableState {
 public:
  explicit TableState(TableSchemaPtr schema);
  // The set's hasher points at key_columns_, so the state stays where it was built.
  TableState(const TableState&) = delete;
  TableState& operator=(const TableState&) = delete;

  const TableSchema& schema() const { return *schema_; }
  std::span<const size_t> key_columns() const { return key_columns_; }
  const PackedRow* find(std::string_view key) const {
    auto it = rows_.find(key);
    return it == rows_.end() ? nullptr : &*it;
  }
  // For replacing a row by one with the same key: hash and equality stay the same, which
  // is why writing through the set's const element is sound.
  PackedRow* find_mutable(std::string_view key) {
    auto it = rows_.find(key);
    return it == rows_.end() ? nullptr : const_cast<PackedRow*>(&*it);
  }
  // Stores `row` under `key` (its encoded key cells), replacing any row under that key.
  const PackedRow& put(std::string_view key, PackedRow row);
  // Removes and returns the row under `key` (empty if none).
  PackedRow take(std::string_view key);
  void clear() { rows_.clear(); }
  size_t size() const { return rows_.size(); }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const PackedRow& row : rows_) fn(row);
  }

 private:
  struct RowHash {
    using is_transparent = void;
    const std::vector<size_t>* key_columns;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
    size_t operator()(const PackedRow& row) const;
  };
  struct RowEqual {
    using is_transparent = void;
    const std::vector<size_t>* key_columns;
    bool operator()(const PackedRow& a, const PackedRow& b) const;
    bool operator()(std::string_view key, const PackedRow& row) const;
    bool operator()(const PackedRow& row, std::string_view key) const { return (*this)(key, row); }
  };

  TableSchemaPtr schema_;
  std::vector<size_t> key_columns_;
  std::unordered_set<PackedRow, RowHash, RowEqual> rows_;
};

// For one JOIN: the lookup key (the joined table's primary key as the parent row spells
// it) -> primary keys of the parent rows holding it.
class ReferenceIndex {
 public:
  void add(const std::string& link, const std::string& parent_key);
  void remove(const std::string& link, std::string_view parent_key);
  const std::vector<std::string>* find(std::string_view link) const {
    auto it = map_.find(link);
    return it == map_.end() ? nullptr : &it->second;
  }
  void clear() { map_.clear(); }
  const KeyMap<std::vector<std::string>>& entries() const { return map_; }

 private:
  KeyMap<std::vector<std::string>> map_;
};

}  // namespace sluice::transform
