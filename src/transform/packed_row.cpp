#include "transform/packed_row.hpp"

namespace sluice::transform {

PackedRow PackedRow::pack(const Row& row, const PackedRow* previous) {
  const size_t n = row.size();
  auto cell = [&](size_t i, CellState& state) -> std::string_view {
    state = row.state(i);
    if (state == CellState::kUnchanged && previous != nullptr && i < previous->size()) {
      state = previous->state(i);
      return previous->text(i);
    }
    return row.text(i);
  };
  size_t text_size = 0;
  for (size_t i = 0; i < n; ++i) {
    CellState s;
    text_size += cell(i, s).size();
  }
  PackedRow out;
  out.data_ = std::make_unique_for_overwrite<char[]>(kHeader + n * 5 + text_size);
  auto count = static_cast<uint32_t>(n);
  std::memcpy(out.data_.get(), &count, 4);
  char* ends = out.data_.get() + kHeader;
  char* states = ends + n * 4;
  char* text = states + n;
  uint32_t offset = 0;
  for (size_t i = 0; i < n; ++i) {
    CellState s;
    std::string_view value = cell(i, s);
    if (!value.empty()) std::memcpy(text + offset, value.data(), value.size());
    offset += static_cast<uint32_t>(value.size());
    std::memcpy(ends + i * 4, &offset, 4);
    states[i] = static_cast<char>(s);
  }
  return out;
}

}  // namespace sluice::transform
