#pragma once
// Flow state on local disk: the current rows of the tables flows read and the reverse
// indexes that propagate a dimension change, in one RocksDB store per pipeline. Memory is
// bounded by the block cache and the write buffers, not by the size of the tables.
//
// The store is stamped with what its contents correspond to: the pipeline, a fingerprint
// of the flow definitions, and the source position. A commit writes a batch of state
// changes and the new stamp in one synced write, so after any crash the store holds
// exactly the state at its stamped position. The caller orders the commits (warehouse
// first, then the store, then the source acknowledgement): docs/design-notes.md.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace sluice::state {

struct StoreOptions {
  std::filesystem::path dir;
  // The block cache for reads (the state.cache_size setting).
  size_t cache_bytes = size_t{256} << 20;
};

// What the store's contents are: without a matching stamp they serve nothing.
struct StoreStamp {
  std::string pipeline;
  // Changes whenever the flow definitions or the tables they read change shape.
  std::string definition;
  // The source position (core/position.hpp text form) the contents correspond to.
  std::string position;
  bool operator==(const StoreStamp&) const = default;
};

// State changes collected while a batch is transformed, written by StateStore::commit.
class StateBatch {
 public:
  StateBatch();
  ~StateBatch();
  StateBatch(StateBatch&&) noexcept;
  StateBatch& operator=(StateBatch&&) noexcept;

  void put(std::string_view key, std::string_view value);
  void erase(std::string_view key);
  // Every key that starts with `prefix` (a truncated table).
  void erase_prefix(std::string_view prefix);
  size_t count() const;
  size_t bytes() const;
  void clear();

 private:
  friend class StateStore;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

class StateStore {
 public:
  // Opens or creates the store in options.dir. A damaged store is Errc::kBadInput (the
  // caller removes it with destroy() and rebuilds); a store another process holds open
  // is Errc::kRefused.
  static Result<std::unique_ptr<StateStore>> open(const StoreOptions& options);
  // Removes the store and its folder; a missing folder is not an error.
  static Result<void> destroy(const std::filesystem::path& dir);

  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The stamp of the last commit; nullopt for a new store.
  const std::optional<StoreStamp>& stamp() const { return stamp_; }

  // The value under `key` into `value`; false when there is none.
  Result<bool> get(std::string_view key, std::string& value) const;
  // Calls `visit` for every key starting with `prefix`, in key order, until it returns
  // false.
  Result<void> scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // Writes `batch` and `stamp` in one synced write, then clears the batch.
  Result<void> commit(StateBatch& batch, const StoreStamp& stamp);

  // Writes `batch` without a stamp and without the write-ahead log: for filling a store
  // that has no stamp yet (a snapshot), where a crash discards the whole store anyway.
  // flush() before the first commit makes these writes durable.
  Result<void> write_unlogged(StateBatch& batch);
  Result<void> flush();

 private:
  StateStore(std::unique_ptr<rocksdb::DB> db, std::filesystem::path dir);

  std::unique_ptr<rocksdb::DB> db_;
  std::filesystem::path dir_;
  std::optional<StoreStamp> stamp_;
};

}  // namespace sluice::state
