#include "source/mysql/mysql_json.hpp"

#include <fmt/format.h>

#include <bit>

#include "core/error.hpp"
#include "core/json_escape.hpp"
#include "source/mysql/binlog_byte_reader.hpp"
#include "source/mysql/binlog_table_map.hpp"
#include "source/mysql/binlog_value_text.hpp"

namespace sluice::mysql {
namespace {

enum class JsonType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

enum class Literal : uint8_t { kNull = 0, kTrue = 1, kFalse = 2 };

// Nesting deeper than MySQL allows (100) means a corrupt document, not a real one.
constexpr int kMaxDepth = 150;

[[noreturn]] void malformed(std::string_view what) {
  throw FatalError(fmt::format("malformed binary JSON: {}", what));
}

class JsonTextWriter {
 public:
  explicit JsonTextWriter(std::string& out) : out_(out) {}

  // `doc` is the value's own bytes: containers and scalars address their content from
  // their first byte (after the type byte, which the caller consumed).
  void value(JsonType type, std::span<const uint8_t> doc, int depth) {
    if (depth > kMaxDepth) malformed("nested too deeply");
    switch (type) {
      case JsonType::kSmallObject:
        container(doc, false, true, depth);
        return;
      case JsonType::kLargeObject:
        container(doc, true, true, depth);
        return;
      case JsonType::kSmallArray:
        container(doc, false, false, depth);
        return;
      case JsonType::kLargeArray:
        container(doc, true, false, depth);
        return;
      case JsonType::kLiteral:
        literal(at(doc, 0, 1)[0]);
        return;
      case JsonType::kInt16:
        number(static_cast<int16_t>(le(doc, 0, 2)));
        return;
      case JsonType::kUint16:
        number(static_cast<uint16_t>(le(doc, 0, 2)));
        return;
      case JsonType::kInt32:
        number(static_cast<int32_t>(le(doc, 0, 4)));
        return;
      case JsonType::kUint32:
        number(static_cast<uint32_t>(le(doc, 0, 4)));
        return;
      case JsonType::kInt64:
        number(static_cast<int64_t>(le(doc, 0, 8)));
        return;
      case JsonType::kUint64:
        number(le(doc, 0, 8));
        return;
      case JsonType::kDouble:
        double_value(std::bit_cast<double>(le(doc, 0, 8)));
        return;
      case JsonType::kString:
        string(doc);
        return;
      case JsonType::kOpaque:
        opaque(doc);
        return;
    }
    malformed(fmt::format("unknown value type {:#x}", static_cast<unsigned>(type)));
  }

 private:
  static std::span<const uint8_t> at(std::span<const uint8_t> doc, size_t offset, size_t n) {
    if (offset > doc.size() || n > doc.size() - offset) malformed("offset out of bounds");
    return doc.subspan(offset, n);
  }
  static uint64_t le(std::span<const uint8_t> doc, size_t offset, size_t n) {
    detail::ByteReader in(at(doc, offset, n));
    return in.le(n);
  }

  // Objects and arrays: element count, total size, then fixed-width entries (key entries
  // for objects: offset + u16 length; value entries: type + offset or inlined value).
  void container(std::span<const uint8_t> doc, bool large, bool is_object, int depth) {
    size_t word = large ? 4 : 2;
    size_t count = le(doc, 0, word);
    size_t size = le(doc, word, word);
    if (size > doc.size()) malformed("container larger than its document");
    doc = doc.first(size);
    size_t key_entry = word + 2;
    size_t value_entry = 1 + word;
    size_t keys_at = 2 * word;
    size_t values_at = keys_at + (is_object ? count * key_entry : 0);
    if (values_at + count * value_entry > size) malformed("entries overrun the container");

    out_.push_back(is_object ? '{' : '[');
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) out_.append(", ");
      if (is_object) {
        size_t key_offset = le(doc, keys_at + i * key_entry, word);
        size_t key_length = le(doc, keys_at + i * key_entry + word, 2);
        quoted(at(doc, key_offset, key_length));
        out_.append(": ");
      }
      entry(doc, values_at + i * value_entry, large, depth);
    }
    out_.push_back(is_object ? '}' : ']');
  }

  void entry(std::span<const uint8_t> doc, size_t entry_at, bool large, int depth) {
    auto type = static_cast<JsonType>(at(doc, entry_at, 1)[0]);
    size_t word = large ? 4 : 2;
    bool inlined = type == JsonType::kLiteral || type == JsonType::kInt16 ||
                   type == JsonType::kUint16 ||
                   (large && (type == JsonType::kInt32 || type == JsonType::kUint32));
    if (inlined) {
      value(type, at(doc, entry_at + 1, word), depth + 1);
      return;
    }
    size_t offset = le(doc, entry_at + 1, word);
    if (offset >= doc.size()) malformed("value offset out of bounds");
    value(type, doc.subspan(offset), depth + 1);
  }

  void literal(uint8_t v) {
    switch (static_cast<Literal>(v)) {
      case Literal::kNull:
        out_.append("null");
        return;
      case Literal::kTrue:
        out_.append("true");
        return;
      case Literal::kFalse:
        out_.append("false");
        return;
    }
    malformed(fmt::format("unknown literal {:#x}", v));
  }

  template <typename T>
  void number(T v) {
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }

  // MySQL keeps a double's type visible: 3.0 prints as 3.0, not 3.
  void double_value(double v) {
    size_t start = out_.size();
    fmt::format_to(std::back_inserter(out_), "{}", v);
    if (out_.find_first_of(".eEn", start) == std::string::npos) out_.append(".0");
  }

  // Strings and opaque data carry their length as a varint: 7 bits a byte, low first.
  static std::span<const uint8_t> varint_prefixed(std::span<const uint8_t> doc) {
    uint64_t length = 0;
    for (size_t i = 0; i < 5; ++i) {
      uint8_t b = at(doc, i, 1)[0];
      length |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return at(doc, i + 1, length);
    }
    malformed("length varint longer than 5 bytes");
  }

  void string(std::span<const uint8_t> doc) { quoted(varint_prefixed(doc)); }

  void quoted(std::span<const uint8_t> text) {
    out_.push_back('"');
    append_json_escaped(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
                        out_);
    out_.push_back('"');
  }

  // Opaque: the MySQL field type of the value, then varint-prefixed data.
  void opaque(std::span<const uint8_t> doc) {
    auto field_type = static_cast<ColumnType>(at(doc, 0, 1)[0]);
    auto data = varint_prefixed(doc.subspan(1));
    switch (field_type) {
      case ColumnType::kNewDecimal:
        decimal(data);
        return;
      case ColumnType::kDate:
      case ColumnType::kTime:
      case ColumnType::kDatetime:
      case ColumnType::kTimestamp:
        temporal(field_type, data);
        return;
      default:
        base64(static_cast<uint8_t>(field_type), data);
    }
  }

  // DECIMAL in JSON: precision byte, scale byte, then the packed binary form.
  void decimal(std::span<const uint8_t> data) {
    uint8_t precision = at(data, 0, 1)[0];
    uint8_t scale = at(data, 1, 1)[0];
    detail::append_decimal(at(data, 2, detail::decimal_binary_size(precision, scale)), precision,
                           scale, out_);
  }

  // Temporal values in JSON are MySQL's packed longlong (my_time.h): the integer part
  // (year*13+month, day, hour, minute, second bit-packed) shifted left 24 bits, plus
  // microseconds; negative for negative TIME.
  void temporal(ColumnType type, std::span<const uint8_t> data) {
    auto packed = static_cast<int64_t>(le(data, 0, 8));
    bool negative = packed < 0;
    uint64_t magnitude =
        negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
    auto microseconds = static_cast<uint32_t>(magnitude & 0xffffff);
    uint64_t integer = magnitude >> 24;
    out_.push_back('"');
    if (type == ColumnType::kTime) {
      if (negative) out_.push_back('-');
      detail::append_clock(static_cast<uint32_t>((integer >> 12) & 0x3ff),
                           static_cast<uint32_t>((integer >> 6) & 63),
                           static_cast<uint32_t>(integer & 63), out_);
      detail::append_full_fraction(microseconds, out_);
    } else {
      uint64_t ymd = integer >> 17;
      uint64_t year_month = ymd >> 5;
      detail::append_date(static_cast<uint32_t>(year_month / 13),
                          static_cast<uint32_t>(year_month % 13), static_cast<uint32_t>(ymd & 31),
                          out_);
      if (type != ColumnType::kDate) {
        uint64_t hms = integer & 0x1ffff;
        out_.push_back(' ');
        detail::append_clock(static_cast<uint32_t>(hms >> 12),
                             static_cast<uint32_t>((hms >> 6) & 63),
                             static_cast<uint32_t>(hms & 63), out_);
        detail::append_full_fraction(microseconds, out_);
      }
    }
    out_.push_back('"');
  }

  void base64(uint8_t field_type, std::span<const uint8_t> data) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fmt::format_to(std::back_inserter(out_), "\"base64:type{}:", field_type);
    size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
      uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      for (int shift = 18; shift >= 0; shift -= 6) out_.push_back(kAlphabet[(v >> shift) & 63]);
    }
    size_t rest = data.size() - i;
    if (rest > 0) {
      uint32_t v = data[i] << 16;
      if (rest == 2) v |= data[i + 1] << 8;
      out_.push_back(kAlphabet[(v >> 18) & 63]);
      out_.push_back(kAlphabet[(v >> 12) & 63]);
      out_.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
      out_.push_back('=');
    }
    out_.push_back('"');
  }

  std::string& out_;
};

}  // namespace

void append_json_text(std::span<const uint8_t> binary, std::string& out) {
  if (binary.empty()) {
    out.append("null");
    return;
  }
  JsonTextWriter writer(out);
  writer.value(static_cast<JsonType>(binary[0]), binary.subspan(1), 0);
}

}  // namespace sluice::mysql
