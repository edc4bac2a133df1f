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

PackedRow PackedRow::from_bytes(std::string_view bytes) {
  PackedRow out;
  uint32_t count = 0;
  if (bytes.size() < kHeader) return out;
  std::memcpy(&count, bytes.data(), 4);
  const size_t cells_end = kHeader + size_t{count} * 5;
  if (cells_end > bytes.size()) return out;
  uint32_t previous_end = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t end = 0;
    std::memcpy(&end, bytes.data() + kHeader + i * 4, 4);
    auto state = static_cast<uint8_t>(bytes[kHeader + count * 4 + i]);
    if (end < previous_end || state > static_cast<uint8_t>(CellState::kUnchanged)) return out;
    previous_end = end;
  }
  if (cells_end + previous_end != bytes.size()) return out;
  out.data_ = std::make_unique_for_overwrite<char[]>(bytes.size());
  std::memcpy(out.data_.get(), bytes.data(), bytes.size());
  return out;
}

}  // namespace sluice::transform
