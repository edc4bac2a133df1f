#include "source/mysql/binlog_value_text.hpp"

#include <fmt/format.h>

#include <array>

#include "core/error.hpp"
#include "source/mysql/binlog_byte_reader.hpp"

namespace sluice::mysql::detail {
namespace {

// DECIMAL stores nine digits per four bytes; a leftover group of n digits takes
// kLeftoverBytes[n] bytes (MySQL strings/decimal.cc, dig2bytes).
constexpr int kDigitsPerWord = 9;
constexpr std::array<size_t, 10> kLeftoverBytes = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<uint32_t, 10> kPowersOfTen = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

class DecimalDigits {
 public:
  explicit DecimalDigits(std::span<const uint8_t> packed) : packed_(packed) {
    // The sign lives in the top bit of the first byte (set = positive); negative values
    // store every byte inverted.
    negative_ = (packed[0] & 0x80) == 0;
  }
  bool negative() const { return negative_; }

  // Reads the next group of `digits` decimal digits.
  uint32_t group(int digits) {
    size_t size = digits == kDigitsPerWord ? 4 : kLeftoverBytes[static_cast<size_t>(digits)];
    uint32_t v = 0;
    for (size_t i = 0; i < size; ++i) v = (v << 8) | byte(pos_ + i);
    pos_ += size;
    if (v >= kPowersOfTen[static_cast<size_t>(digits)])
      throw FatalError(fmt::format("DECIMAL digit group {} exceeds {} digits", v, digits));
    return v;
  }

 private:
  uint8_t byte(size_t i) const {
    uint8_t b = packed_[i];
    if (i == 0) b ^= 0x80;
    return negative_ ? static_cast<uint8_t>(~b) : b;
  }
  std::span<const uint8_t> packed_;
  size_t pos_ = 0;
  bool negative_ = false;
};

// Writes the low `width` decimal digits of `value`, zero-padded.
void put_digits(uint32_t value, char* at, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

void append_padded(uint32_t value, int width, std::string& out) {
  char buf[kDigitsPerWord];
  put_digits(value, buf, width);
  out.append(buf, static_cast<size_t>(width));
}

}  // namespace

size_t decimal_binary_size(uint8_t precision, uint8_t scale) {
  // A JSON document carries its own precision and scale, checked nowhere else.
  if (scale > precision)
    throw FatalError(
        fmt::format("DECIMAL({},{}) has a scale above its precision", precision, scale));
  int integer_digits = precision - scale;
  return static_cast<size_t>(integer_digits / kDigitsPerWord * 4) +
         kLeftoverBytes[static_cast<size_t>(integer_digits % kDigitsPerWord)] +
         static_cast<size_t>(scale / kDigitsPerWord * 4) +
         kLeftoverBytes[static_cast<size_t>(scale % kDigitsPerWord)];
}

void append_decimal(std::span<const uint8_t> packed, uint8_t precision, uint8_t scale,
                    std::string& out) {
  if (scale > precision || packed.size() != decimal_binary_size(precision, scale) || packed.empty())
    throw FatalError(fmt::format("DECIMAL({},{}) needs {} bytes, has {}", precision, scale,
                                 decimal_binary_size(precision, scale), packed.size()));
  DecimalDigits in(packed);
  size_t sign_at = out.size();
  out.push_back('-');
  size_t digits_at = out.size();

  int integer_digits = precision - scale;
  int leading = integer_digits % kDigitsPerWord;
  bool any_nonzero = false;
  auto integer_group = [&](int digits) {
    uint32_t v = in.group(digits);
    if (out.size() == digits_at) {  // still no integer digit written: no leading zeros
      if (v != 0) fmt::format_to(std::back_inserter(out), "{}", v);
    } else {
      append_padded(v, digits, out);
    }
    any_nonzero |= v != 0;
  };
  if (leading > 0) integer_group(leading);
  for (int i = 0; i < integer_digits / kDigitsPerWord; ++i) integer_group(kDigitsPerWord);
  if (out.size() == digits_at) out.push_back('0');

  if (scale > 0) {
    out.push_back('.');
    for (int i = 0; i < scale / kDigitsPerWord; ++i) {
      uint32_t v = in.group(kDigitsPerWord);
      append_padded(v, kDigitsPerWord, out);
      any_nonzero |= v != 0;
    }
    int trailing = scale % kDigitsPerWord;
    if (trailing > 0) {
      uint32_t v = in.group(trailing);
      append_padded(v, trailing, out);
      any_nonzero |= v != 0;
    }
  }
  // PostgreSQL has no negative zero.
  if (!in.negative() || !any_nonzero) out.erase(sign_at, 1);
}

// Calendar fields are formatted by hand: they are on the hot path of every temporal
// value, and a format string costs more than the rest of the decoding.
void append_date(uint32_t year, uint32_t month, uint32_t day, std::string& out) {
  char buf[10] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'};
  put_digits(year, buf, 4);
  put_digits(month, buf + 5, 2);
  put_digits(day, buf + 8, 2);
  out.append(buf, sizeof buf);
}

void append_clock(uint32_t hours, uint32_t minutes, uint32_t seconds, std::string& out) {
  // TIME's hours reach 838 (and 1023 in its 10-bit field).
  int hour_digits = hours >= 1000 ? 4 : hours >= 100 ? 3 : 2;
  char buf[10];
  put_digits(hours, buf, hour_digits);
  char* rest = buf + hour_digits;
  rest[0] = ':';
  put_digits(minutes, rest + 1, 2);
  rest[3] = ':';
  put_digits(seconds, rest + 4, 2);
  out.append(buf, static_cast<size_t>(hour_digits + 6));
}

void append_trimmed_fraction(uint32_t microseconds, std::string& out) {
  if (microseconds == 0) return;
  char buf[7] = {'.'};
  put_digits(microseconds, buf + 1, 6);
  size_t length = sizeof buf;
  while (buf[length - 1] == '0') --length;
  out.append(buf, length);
}

void append_full_fraction(uint32_t microseconds, std::string& out) {
  char buf[7] = {'.'};
  put_digits(microseconds, buf + 1, 6);
  out.append(buf, sizeof buf);
}

void append_latin1_as_utf8(std::string_view latin1, std::string& out) {
  static constexpr std::array<char16_t, 32> kWindows1252High = {
      0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
      0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};
  for (char ch : latin1) {
    auto byte = static_cast<uint8_t>(ch);
    if (byte < 0x80) {
      out.push_back(ch);
      continue;
    }
    uint32_t code = byte < 0xa0 ? kWindows1252High[byte - 0x80] : byte;
    if (code < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (code >> 6)));
    } else {
      out.push_back(static_cast<char>(0xe0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    }
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

// MySQL stores geometry as a 4-byte little-endian SRID followed by WKB. The text is
// PostGIS's: uppercase hex EWKB, which carries the SRID inside the type word.
void append_geometry_ewkb_hex(std::span<const uint8_t> stored, std::string& scratch) {
  constexpr size_t kSridBytes = 4;
  constexpr size_t kWkbHeader = 5;  // byte order + geometry type
  constexpr uint32_t kEwkbSridFlag = 0x20000000;
  if (stored.size() < kSridBytes + kWkbHeader)
    throw FatalError(fmt::format("GEOMETRY value of {} bytes", stored.size()));
  ByteReader srid_in(stored.first(kSridBytes));
  uint32_t srid = srid_in.u32();
  auto wkb = stored.subspan(kSridBytes);
  bool little_endian = wkb[0] == 1;
  ByteReader type_in(wkb.subspan(1, 4));
  auto type = static_cast<uint32_t>(little_endian ? type_in.le(4) : type_in.be(4));

  static constexpr char kDigits[] = "0123456789ABCDEF";
  auto hex = [&](uint8_t b) {
    scratch.push_back(kDigits[b >> 4]);
    scratch.push_back(kDigits[b & 15]);
  };
  auto hex_u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i)
      hex(static_cast<uint8_t>(v >> (little_endian ? 8 * i : 24 - 8 * i)));
  };
  hex(wkb[0]);
  if (srid == 0) {
    hex_u32(type);
  } else {
    hex_u32(type | kEwkbSridFlag);
    hex_u32(srid);
  }
  for (uint8_t b : wkb.subspan(kWkbHeader)) hex(b);
}

}  // namespace sluice::mysql::detail
