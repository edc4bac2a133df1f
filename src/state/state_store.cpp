#include "state/state_store.hpp"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace sluice::state {
namespace {

// Keys that start with a NUL byte are the store's own; state keys (state_keys.hpp) never do.
constexpr std::string_view kStampKey("\0stamp", 6);

Errc errc_of(const rocksdb::Status& status) {
  if (status.IsCorruption()) return Errc::kBadInput;
  return Errc::kRefused;
}

Error store_error(const std::filesystem::path& dir, std::string_view what,
                  const rocksdb::Status& status) {
  return Error(errc_of(status),
               fmt::format("flow state in {}: {}: {}", dir.string(), what, status.ToString()));
}

void append_field(std::string& out, std::string_view field) {
  auto size = static_cast<uint32_t>(field.size());
  char length[4];
  std::memcpy(length, &size, sizeof size);
  out.append(length, sizeof length);
  out.append(field);
}

bool read_field(std::string_view& in, std::string& field) {
  uint32_t size = 0;
  if (in.size() < sizeof size) return false;
  std::memcpy(&size, in.data(), sizeof size);
  in.remove_prefix(sizeof size);
  if (in.size() < size) return false;
  field.assign(in.substr(0, size));
  in.remove_prefix(size);
  return true;
}

std::string encode_stamp(const StoreStamp& stamp) {
  std::string out;
  append_field(out, stamp.pipeline);
  append_field(out, stamp.definition);
  append_field(out, stamp.position);
  return out;
}

std::optional<StoreStamp> decode_stamp(std::string_view in) {
  StoreStamp stamp;
  if (!read_field(in, stamp.pipeline) || !read_field(in, stamp.definition) ||
      !read_field(in, stamp.position) || !in.empty())
    return std::nullopt;
  return stamp;
}

rocksdb::Options store_options(const StoreOptions& options) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.cache_bytes);
  // Most reads are point lookups of a key that may be absent (a row not yet seen).
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the bounded cache, cut into small partitions: whole
  // ones (megabytes for a large file) were evicted from a cache shard by data blocks and
  // read and checksummed again on nearly every lookup, which made building a 2 million
  // row destination from the store take 17 minutes.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  rocksdb::Options db;
  db.create_if_missing = true;
  db.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  db.write_buffer_size = size_t{32} << 20;
  // Lookups of recent rows are served by the write buffer: a bloom filter there spares the
  // skiplist search for keys it does not hold.
  db.memtable_prefix_bloom_size_ratio = 0.05;
  db.memtable_whole_key_filtering = true;
  db.max_write_buffer_number = 2;
  db.max_background_jobs = 2;
  return db;
}

rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

StateBatch::StateBatch() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
StateBatch::~StateBatch() = default;
StateBatch::StateBatch(StateBatch&&) noexcept = default;
StateBatch& StateBatch::operator=(StateBatch&&) noexcept = default;

void StateBatch::put(std::string_view key, std::string_view value) {
  batch_->Put(slice(key), slice(value));
}

void StateBatch::erase(std::string_view key) {
  batch_->Delete(slice(key));
}

void StateBatch::erase_prefix(std::string_view prefix) {
  // The first key past every key with this prefix: the prefix with its last byte below
  // 0xff incremented (state prefixes never end in 0xff bytes only).
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) throw std::logic_error("erase_prefix: a prefix of 0xff bytes only");
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  batch_->DeleteRange(slice(prefix), slice(end));
}

size_t StateBatch::count() const {
  return static_cast<size_t>(batch_->Count());
}

size_t StateBatch::bytes() const {
  return batch_->GetDataSize();
}

void StateBatch::clear() {
  batch_->Clear();
}

Result<std::unique_ptr<StateStore>> StateStore::open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec)
    return Error(Errc::kRefused, fmt::format("flow state: cannot create {}: {}",
                                             options.dir.string(), ec.message()));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(store_options(options), options.dir.string(), &raw);
  if (!status.ok()) return store_error(options.dir, "cannot open", status);
  std::unique_ptr<StateStore> store(new StateStore(std::unique_ptr<rocksdb::DB>(raw), options.dir));
  std::string stamp;
  status = store->db_->Get(rocksdb::ReadOptions(), slice(kStampKey), &stamp);
  if (status.ok()) {
    store->stamp_ = decode_stamp(stamp);
    if (!store->stamp_)
      return Error(Errc::kBadInput,
                   fmt::format("flow state in {}: its stamp is unreadable", options.dir.string()));
  } else if (!status.IsNotFound()) {
    return store_error(options.dir, "cannot read its stamp", status);
  }
  return store;
}

Result<void> StateStore::destroy(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec)
    return Error(Errc::kRefused,
                 fmt::format("flow state: cannot remove {}: {}", dir.string(), ec.message()));
  return {};
}

StateStore::StateStore(std::unique_ptr<rocksdb::DB> db, std::filesystem::path dir)
    : db_(std::move(db)), dir_(std::move(dir)) {}

StateStore::~StateStore() = default;

Result<bool> StateStore::get(std::string_view key, std::string& value) const {
  rocksdb::PinnableSlice found;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), slice(key), &found);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return store_error(dir_, "read failed", status);
  value.assign(found.data(), found.size());
  return true;
}

Result<void> StateStore::scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  rocksdb::ReadOptions read;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  for (it->Seek(slice(prefix)); it->Valid() && it->key().starts_with(slice(prefix)); it->Next()) {
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  if (!it->status().ok()) return store_error(dir_, "scan failed", it->status());
  return {};
}

Result<void> StateStore::commit(StateBatch& batch, const StoreStamp& stamp) {
  std::string encoded = encode_stamp(stamp);
  batch.batch_->Put(slice(kStampKey), slice(encoded));
  rocksdb::WriteOptions write;
  write.sync = true;
  rocksdb::Status status = db_->Write(write, batch.batch_.get());
  if (!status.ok()) return store_error(dir_, "write failed", status);
  stamp_ = stamp;
  batch.clear();
  return {};
}

Result<void> StateStore::write_unlogged(StateBatch& batch) {
  rocksdb::WriteOptions write;
  write.disableWAL = true;
  rocksdb::Status status = db_->Write(write, batch.batch_.get());
  if (!status.ok()) return store_error(dir_, "write failed", status);
  batch.clear();
  return {};
}

Result<void> StateStore::flush() {
  rocksdb::Status status = db_->Flush(rocksdb::FlushOptions());
  if (!status.ok()) return store_error(dir_, "flush failed", status);
  return {};
}

}  // namespace sluice::state
