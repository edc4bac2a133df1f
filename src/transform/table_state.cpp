#include "transform/table_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/error.hpp"
#include "state/state_store.hpp"

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

// Rows read from the store and kept after their batch: enough for a batch's working set
// and the hot rows of small dimension tables, few enough to keep memory flat.
constexpr size_t kCachedRows = size_t{1} << 16;

void raise_on_error(const Result<void>& result) {
  result.value_or_raise();
}

}  // namespace

TableState::TableState(TableSchemaPtr schema, StateSpace space)
    : schema_(std::move(schema)),
      key_columns_(schema_->key_indexes()),
      space_(std::move(space)),
      trim_at_(kCachedRows) {
  if (space_.store == nullptr) return;
  std::string value;
  if (std::move(space_.store->get(count_key(), value)).value_or_raise() && value.size() == 8)
    std::memcpy(&count_, value.data(), 8);
  committed_count_ = count_;
}

std::string TableState::count_key() const {
  // Outside the prefix, so no row key (which may be any bytes) can be the counter.
  return "#" + space_.prefix;
}

TableState::Slot& TableState::load(std::string_view key) {
  auto it = overlay_.find(key);
  if (it != overlay_.end()) return *it;
  Slot& slot = *overlay_.emplace(std::string(key), Entry{}).first;
  if (space_.store == nullptr || cleared_ || assume_empty_) return slot;
  key_scratch_.assign(space_.prefix).append(key);
  if (std::move(space_.store->get(key_scratch_, value_scratch_)).value_or_raise()) {
    slot.second.row = PackedRow::from_bytes(value_scratch_);
    if (slot.second.row.empty())
      throw FatalError(fmt::format("flow state: a row of {} is unreadable; run `sluice reset`",
                                   schema_->qualified_name()));
  }
  return slot;
}

void TableState::mark_dirty(Slot& slot) {
  if (space_.store == nullptr || slot.second.dirty) return;
  slot.second.dirty = true;
  dirty_.push_back(&slot);
}

const PackedRow* TableState::find(std::string_view key) {
  Entry& entry = load(key).second;
  return entry.row.empty() ? nullptr : &entry.row;
}

PackedRow* TableState::find_mutable(std::string_view key) {
  Slot& slot = load(key);
  if (slot.second.row.empty()) return nullptr;
  mark_dirty(slot);
  return &slot.second.row;
}

const PackedRow& TableState::put(std::string_view key, PackedRow row) {
  Slot& slot = load(key);
  if (slot.second.row.empty()) ++count_;
  slot.second.row = std::move(row);
  mark_dirty(slot);
  return slot.second.row;
}

PackedRow TableState::take(std::string_view key) {
  Slot& slot = load(key);
  if (slot.second.row.empty()) return {};
  --count_;
  mark_dirty(slot);
  return std::exchange(slot.second.row, PackedRow());
}

void TableState::clear() {
  overlay_.clear();
  dirty_.clear();
  count_ = 0;
  cleared_ = space_.store != nullptr;
}

void TableState::for_each(const std::function<void(const PackedRow&)>& fn) {
  if (space_.store == nullptr) {
    for (const auto& [key, entry] : overlay_)
      if (!entry.row.empty()) fn(entry.row);
    return;
  }
  if (cleared_ || !dirty_.empty())
    throw std::logic_error("TableState::for_each with changes not staged");
  raise_on_error(space_.store->scan(space_.prefix, [&](std::string_view, std::string_view v) {
    PackedRow row = PackedRow::from_bytes(v);
    if (row.empty())
      throw FatalError(fmt::format("flow state: a row of {} is unreadable; run `sluice reset`",
                                   schema_->qualified_name()));
    fn(row);
    return true;
  }));
}

std::vector<std::string> TableState::keys() {
  std::vector<std::string> out;
  for (const auto& [key, entry] : overlay_)
    if (!entry.row.empty()) out.push_back(key);
  if (space_.store == nullptr || cleared_) return out;
  const size_t prefix = space_.prefix.size();
  raise_on_error(space_.store->scan(space_.prefix, [&](std::string_view k, std::string_view) {
    std::string_view key = k.substr(prefix);
    if (!overlay_.contains(key)) out.emplace_back(key);
    return true;
  }));
  return out;
}

void TableState::stage(state::StateBatch& batch) {
  if (space_.store == nullptr) return;
  if (cleared_) batch.erase_prefix(space_.prefix);
  // In key order: the store's write buffer (a skip list) inserts a key next to the one
  // before it in a few steps, and a random one in a search from the top.
  std::ranges::sort(dirty_, {}, [](const Slot* slot) -> std::string_view { return slot->first; });
  for (Slot* slot : dirty_) {
    key_scratch_.assign(space_.prefix).append(slot->first);
    if (slot->second.row.empty())
      batch.erase(key_scratch_);
    else
      batch.put(key_scratch_, slot->second.row.bytes());
    slot->second.dirty = false;
  }
  dirty_.clear();
  if (count_ != committed_count_ || cleared_) {
    char value[8];
    std::memcpy(value, &count_, 8);
    batch.put(count_key(), std::string_view(value, 8));
  }
  committed_count_ = count_;
  cleared_ = false;
}

void TableState::discard() {
  if (space_.store == nullptr) return;
  overlay_.clear();
  dirty_.clear();
  count_ = committed_count_;
  cleared_ = false;
  trim_at_ = kCachedRows;
}

void TableState::trim() {
  if (space_.store == nullptr || overlay_.size() <= trim_at_) return;
  std::erase_if(overlay_, [](const auto& e) { return !e.second.dirty; });
  // A batch that changed more rows than the cache holds keeps them all until it is
  // staged; trimming again only once the overlay doubles keeps the cost linear.
  trim_at_ = std::max(kCachedRows, overlay_.size() * 2);
}

ReferenceIndex::ReferenceIndex(StateSpace space) : space_(std::move(space)) {}

std::string ReferenceIndex::entry_key(std::string_view link, std::string_view parent_key) {
  std::string key;
  auto length = static_cast<uint32_t>(link.size());
  char prefix[4];
  std::memcpy(prefix, &length, 4);
  key.append(prefix, 4).append(link).append(parent_key);
  return key;
}

void ReferenceIndex::add(std::string_view link, std::string_view parent_key) {
  if (space_.store == nullptr) {
    auto it = memory_.find(link);
    if (it == memory_.end())
      it = memory_.emplace(std::string(link), std::vector<std::string>{}).first;
    it->second.emplace_back(parent_key);
    return;
  }
  pending_[entry_key(link, parent_key)] = true;
}

void ReferenceIndex::remove(std::string_view link, std::string_view parent_key) {
  if (space_.store == nullptr) {
    auto it = memory_.find(link);
    if (it == memory_.end()) return;
    auto& keys = it->second;
    auto k = std::ranges::find(keys, parent_key);
    if (k != keys.end()) {
      *k = std::move(keys.back());
      keys.pop_back();
    }
    if (keys.empty()) memory_.erase(it);
    return;
  }
  pending_[entry_key(link, parent_key)] = false;
}

void ReferenceIndex::find(std::string_view link, std::vector<std::string>& out) const {
  if (space_.store == nullptr) {
    auto it = memory_.find(link);
    if (it != memory_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    return;
  }
  const std::string range = entry_key(link, "");
  if (!cleared_) {
    const std::string prefix = space_.prefix + range;
    raise_on_error(space_.store->scan(prefix, [&](std::string_view k, std::string_view) {
      std::string_view entry = k.substr(space_.prefix.size());
      if (!pending_.contains(entry)) out.emplace_back(k.substr(prefix.size()));
      return true;
    }));
  }
  for (auto it = pending_.lower_bound(range); it != pending_.end() && it->first.starts_with(range);
       ++it)
    if (it->second) out.emplace_back(std::string_view(it->first).substr(range.size()));
}

void ReferenceIndex::clear() {
  memory_.clear();
  pending_.clear();
  cleared_ = space_.store != nullptr;
}

void ReferenceIndex::stage(state::StateBatch& batch) {
  if (space_.store == nullptr) return;
  if (cleared_) batch.erase_prefix(space_.prefix);
  std::string key;
  for (const auto& [entry, present] : pending_) {
    key.assign(space_.prefix).append(entry);
    if (present)
      batch.put(key, "");
    else
      batch.erase(key);
  }
  pending_.clear();
  cleared_ = false;
}

void ReferenceIndex::discard() {
  pending_.clear();
  cleared_ = false;
}

}  // namespace sluice::transform
