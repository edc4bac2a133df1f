#pragma once
// Text forms shared by the rows decoder, the binary JSON decoder and the snapshot:
// DECIMAL's packed binary form, calendar pieces and bytea, written the way PostgreSQL
// prints them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::mysql::detail {

// Bytes of a DECIMAL(precision, scale) in MySQL's packed binary form. Throws FatalError
// when scale > precision.
size_t decimal_binary_size(uint8_t precision, uint8_t scale);

// Appends the exact decimal text of a packed DECIMAL, with exactly `scale` fraction
// digits like PostgreSQL numeric(p,s) prints it ("-1234.5678", "0.0000"). `packed` must
// hold decimal_binary_size() bytes. Throws FatalError on digits out of range.
void append_decimal(std::span<const uint8_t> packed, uint8_t precision, uint8_t scale,
                    std::string& out);

// "YYYY-MM-DD", years zero-padded to four digits.
void append_date(uint32_t year, uint32_t month, uint32_t day, std::string& out);
// "hh:mm:ss" with at least two hour digits (TIME reaches 838 hours).
void append_clock(uint32_t hours, uint32_t minutes, uint32_t seconds, std::string& out);
// ".ffffff" with trailing zeros dropped, nothing for zero: PostgreSQL's output style.
void append_trimmed_fraction(uint32_t microseconds, std::string& out);
// ".ffffff", always six digits: MySQL's style inside JSON.
void append_full_fraction(uint32_t microseconds, std::string& out);

// Binary string bytes as PostgreSQL prints bytea: "\x", then two lowercase hex digits a
// byte, with zero bytes up to `padded_length` (the binlog leaves off BINARY(n)'s trailing
// zeros). The text goes to `append(std::string_view)` in pieces from a buffer on the
// stack, so a large value costs no allocation of its own.
template <typename Append>
void append_bytea_hex(std::string_view bytes, size_t padded_length, Append&& append) {
  static constexpr char kDigits[] = "0123456789abcdef";
  append(std::string_view("\\x"));
  char buf[256];
  size_t used = 0;
  auto put = [&](uint8_t b) {
    if (used == sizeof buf) {
      append(std::string_view(buf, used));
      used = 0;
    }
    buf[used++] = kDigits[b >> 4];
    buf[used++] = kDigits[b & 15];
  };
  for (char c : bytes) put(static_cast<uint8_t>(c));
  for (size_t i = bytes.size(); i < padded_length; ++i) put(0);
  append(std::string_view(buf, used));
}

// MySQL's latin1 is Windows-1252, except that the five bytes 1252 leaves undefined map
// to the C1 controls of the same code (as in MySQL strings/ctype-latin1.cc).
void append_latin1_as_utf8(std::string_view latin1, std::string& out);

// A stored geometry (4-byte little-endian SRID, then WKB) as PostGIS prints it: uppercase
// hex EWKB, with the SRID inside the type word when it is not 0. Throws FatalError when
// too short.
void append_geometry_ewkb_hex(std::span<const uint8_t> stored, std::string& out);

}  // namespace sluice::mysql::detail
