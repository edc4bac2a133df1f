#pragma once
// Unsigned integers of 1 to 8 bytes in wire order. pgoutput and the replication protocol
// are big-endian; the binlog is little-endian but for its packed temporal, DECIMAL and
// BIT values. Callers check the bounds.

#include <cstddef>
#include <cstdint>

namespace sluice {

constexpr uint64_t load_be(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

constexpr uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i > 0; --i) v = (v << 8) | p[i - 1];
  return v;
}

}  // namespace sluice
