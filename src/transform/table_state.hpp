#pragma once
// The current rows of one table a flow reads, keyed by primary key, and the reverse index
// a lookup join needs for propagation (child key -> parent rows that reference it).
//
// With a state store, the committed rows live on disk and this object holds only what the
// batch being transformed touched (the overlay): stage() hands the batch's changes to the
// store's write batch, discard() forgets them when the batch does not commit. Without a
// store (sluice apply, tests) everything stays in memory.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/schema.hpp"
#include "transform/packed_row.hpp"

namespace sluice::state {
class StateBatch;
class StateStore;
}  // namespace sluice::state

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

// Where a table's or an index's entries live: a store and the key prefix they share.
struct StateSpace {
  state::StateStore* store = nullptr;
  std::string prefix;
};

class TableState {
 public:
  TableState(TableSchemaPtr schema, StateSpace space);

  const TableSchema& schema() const { return *schema_; }
  std::span<const size_t> key_columns() const { return key_columns_; }

  // Pointers stay valid until trim(), discard() or the state is gone.
  const PackedRow* find(std::string_view key);
  // For replacing a row in place: the entry is written at the next stage().
  PackedRow* find_mutable(std::string_view key);
  // Stores `row` under `key` (its encoded key cells), replacing any row under that key.
  const PackedRow& put(std::string_view key, PackedRow row);
  // Removes and returns the row under `key` (empty if none).
  PackedRow take(std::string_view key);
  void clear();
  size_t size() const { return count_; }

  // Every row, in no particular order. With a store, only between batches (nothing
  // changed since the last stage()).
  void for_each(const std::function<void(const PackedRow&)>& fn);
  // The keys of every row, including the batch's own changes.
  std::vector<std::string> keys();

  // The store holds no rows of this table (it is being filled by a snapshot): lookups
  // need not ask it.
  void assume_empty(bool empty) { assume_empty_ = empty; }

  void stage(state::StateBatch& batch);
  void discard();
  // Forgets rows read from the store that are not changed, once there are many: memory
  // stays bounded however many rows a batch reads.
  void trim();

 private:
  struct Entry {
    PackedRow row;  // empty: no row under this key
    bool dirty = false;
  };

  using Slot = KeyMap<Entry>::value_type;

  Slot& load(std::string_view key);
  void mark_dirty(Slot& slot);
  std::string count_key() const;

  TableSchemaPtr schema_;
  std::vector<size_t> key_columns_;
  StateSpace space_;
  KeyMap<Entry> overlay_;
  // The changed entries, so staging a batch costs its changes, not the cache's size.
  // Map nodes stay put until erased, and only clean ones are (trim).
  std::vector<Slot*> dirty_;
  size_t count_ = 0;
  size_t committed_count_ = 0;
  size_t trim_at_;
  bool cleared_ = false;  // clear() in this batch: the store's rows are gone
  bool assume_empty_ = false;
  std::string key_scratch_;
  std::string value_scratch_;
};

// For one JOIN: the lookup key (the joined table's primary key as the parent row spells
// it) -> primary keys of the parent rows holding it.
class ReferenceIndex {
 public:
  explicit ReferenceIndex(StateSpace space = {});

  void add(std::string_view link, std::string_view parent_key);
  void remove(std::string_view link, std::string_view parent_key);
  // Appends the primary keys of the parents holding `link` to `out`.
  void find(std::string_view link, std::vector<std::string>& out) const;
  void clear();

  void stage(state::StateBatch& batch);
  void discard();

 private:
  // An entry's key below the prefix: the link, length first, then the parent key, so one
  // link's parents are one range of keys.
  static std::string entry_key(std::string_view link, std::string_view parent_key);

  StateSpace space_;
  KeyMap<std::vector<std::string>> memory_;           // without a store
  std::map<std::string, bool, std::less<>> pending_;  // entry key -> present
  bool cleared_ = false;
};

}  // namespace sluice::transform
