#pragma once
// A stored row in one heap block: [cell count][end offset per cell][state per cell][text].
// Dimension state holds millions of these, so a row costs one allocation and 5 bytes
// per cell beyond its text (a Row costs two allocations and 12 bytes per cell).

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/row.hpp"

namespace sluice::transform {

class PackedRow {
 public:
  PackedRow() = default;
  // Copies `row`; a kUnchanged cell takes the cell of `previous` when given.
  static PackedRow pack(const Row& row, const PackedRow* previous = nullptr);

  bool empty() const { return data_ == nullptr; }
  size_t size() const { return data_ ? count() : 0; }
  CellState state(size_t i) const {
    return static_cast<CellState>(data_[kHeader + count() * 4 + i]);
  }
  bool is_null(size_t i) const { return state(i) != CellState::kValue; }
  std::string_view text(size_t i) const {
    uint32_t begin = i == 0 ? 0 : end(i - 1);
    return {text_base() + begin, end(i) - begin};
  }
  void append_cell_to(Row& row, size_t i) const {
    switch (state(i)) {
      case CellState::kValue:
        row.append(text(i));
        break;
      case CellState::kNull:
        row.append_null();
        break;
      case CellState::kUnchanged:
        row.append_unchanged();
        break;
    }
  }
  void to_row(Row& row) const {
    row.clear();
    for (size_t i = 0; i < size(); ++i) append_cell_to(row, i);
  }
  // The block as stored on disk, and back: the layout is self-describing.
  std::string_view bytes() const { return {data_.get(), heap_bytes()}; }
  // Empty when `bytes` is not a whole block (a damaged store).
  static PackedRow from_bytes(std::string_view bytes);

  // Heap bytes of the block (without the allocator's own overhead).
  size_t heap_bytes() const {
    return data_ ? kHeader + count() * 5 + (count() ? end(count() - 1) : 0) : 0;
  }

 private:
  static constexpr size_t kHeader = 4;
  uint32_t count() const {
    uint32_t n;
    std::memcpy(&n, data_.get(), 4);
    return n;
  }
  uint32_t end(size_t i) const {
    uint32_t e;
    std::memcpy(&e, data_.get() + kHeader + i * 4, 4);
    return e;
  }
  const char* text_base() const { return data_.get() + kHeader + count() * 5; }

  std::unique_ptr<char[]> data_;
};

}  // namespace sluice::transform
