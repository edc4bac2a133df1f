#pragma once
// Splits one fuzzer input into the pieces a target feeds its decoder: single bytes for
// choices and 16-bit little-endian length-prefixed frames for messages. Running out of
// input is never an error: a short frame is cut at the end, a missing byte reads as 0,
// so every input the fuzzer mutates is a valid test.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::fuzz {

class FuzzInput {
 public:
  explicit FuzzInput(std::span<const uint8_t> data) : data_(data) {}

  bool empty() const { return data_.empty(); }

  uint8_t byte() {
    if (data_.empty()) return 0;
    uint8_t b = data_.front();
    data_ = data_.subspan(1);
    return b;
  }

  std::span<const uint8_t> frame() {
    size_t length = byte();
    length |= size_t{byte()} << 8;
    return take(length);
  }

  std::span<const uint8_t> rest() { return take(data_.size()); }

 private:
  std::span<const uint8_t> take(size_t n) {
    n = std::min(n, data_.size());
    auto piece = data_.first(n);
    data_ = data_.subspan(n);
    return piece;
  }

  std::span<const uint8_t> data_;
};

inline std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace sluice::fuzz
