#pragma once
// Bounds-checked reads over one binlog event body. Binlog integers are little-endian;
// the packed temporal, DECIMAL and BIT values are big-endian. A short read throws
// FatalError; callers add the table and column to the message.

#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "core/byte_order.hpp"
#include "core/error.hpp"

namespace sluice::mysql::detail {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  uint8_t u8() {
    need(1);
    return data_[pos_++];
  }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }

  uint64_t le(size_t n) {
    need(n);
    uint64_t v = load_le(data_.data() + pos_, n);
    pos_ += n;
    return v;
  }
  uint64_t be(size_t n) {
    need(n);
    uint64_t v = load_be(data_.data() + pos_, n);
    pos_ += n;
    return v;
  }

  // The protocol's length-encoded integer: < 0xfb in one byte, else 0xfc/0xfd/0xfe
  // followed by 2, 3 or 8 bytes.
  uint64_t lenenc() {
    uint8_t first = u8();
    switch (first) {
      case 0xfc:
        return le(2);
      case 0xfd:
        return le(3);
      case 0xfe:
        return le(8);
      case 0xfb:
      case 0xff:
        throw FatalError(fmt::format("invalid length-encoded integer prefix {:#x} at offset {}",
                                     first, pos_ - 1));
      default:
        return first;
    }
  }

  std::span<const uint8_t> bytes(size_t n) {
    need(n);
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view chars(size_t n) {
    auto s = bytes(n);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }
  void skip(size_t n) {
    need(n);
    pos_ += n;
  }

 private:
  void need(size_t n) const {
    if (n > remaining())
      throw FatalError(fmt::format("truncated event: needs {} bytes at offset {}, {} left", n, pos_,
                                   remaining()));
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace sluice::mysql::detail
