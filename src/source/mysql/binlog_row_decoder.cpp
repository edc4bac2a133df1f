#include "source/mysql/binlog_row_decoder.hpp"

#include <fmt/format.h>

#include <bit>
#include <charconv>

#include "core/civil_date.hpp"
#include "core/error.hpp"
#include "source/mysql/binlog_value_text.hpp"
#include "source/mysql/mysql_json.hpp"

namespace sluice::mysql {
namespace {

using detail::ByteReader;
using detail::ColumnPlan;

enum EventType : uint8_t {
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
};

RowsEventKind kind_of(uint8_t event_type) {
  switch (event_type) {
    case kWriteRowsV1:
    case kWriteRowsV2:
      return RowsEventKind::kWrite;
    case kUpdateRowsV1:
    case kUpdateRowsV2:
      return RowsEventKind::kUpdate;
    case kDeleteRowsV1:
    case kDeleteRowsV2:
      return RowsEventKind::kDelete;
    default:
      // The stream inflates MariaDB's compressed rows events (166-171) into these types.
      throw FatalError(fmt::format("unsupported rows event type {}", event_type));
  }
}

RowsEventHeader read_header(uint8_t event_type, ByteReader& in) {
  RowsEventHeader header;
  header.kind = kind_of(event_type);
  header.table_id = TableMapId{in.le(6)};
  header.flags = in.u16();
  if (event_type >= kWriteRowsV2) {
    // v2 carries extra-row-info TLVs; the length counts its own two bytes.
    uint16_t extra_length = in.u16();
    if (extra_length < 2) throw FatalError("rows event extra-data length below 2");
    in.skip(extra_length - 2u);
  }
  return header;
}

bool bit_set(std::span<const uint8_t> bitmap, size_t i) {
  return (bitmap[i / 8] >> (i % 8)) & 1;
}

size_t count_set(std::span<const uint8_t> bitmap, size_t bits) {
  size_t n = 0;
  for (size_t i = 0; i < bits; ++i) n += bit_set(bitmap, i);
  return n;
}

// --- integers and floating point -------------------------------------------------------

void append_integer(Row& row, auto value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  row.append(std::string_view(buf, static_cast<size_t>(end - buf)));
}

void read_integer(ByteReader& in, size_t bytes, bool is_unsigned, Row& row) {
  uint64_t raw = in.le(bytes);
  if (is_unsigned) {
    append_integer(row, raw);
    return;
  }
  unsigned shift = static_cast<unsigned>(64 - 8 * bytes);
  append_integer(row, static_cast<int64_t>(raw << shift) >> shift);
}

// Shortest text that reads back to the same value (PostgreSQL prints the same digits;
// MySQL has no NaN or infinity).
template <typename T>
void append_floating(Row& row, T value) {
  char buf[48];
  auto end = fmt::format_to(buf, "{}", value);
  row.append(std::string_view(buf, static_cast<size_t>(end - buf)));
}

// --- strings ---------------------------------------------------------------------------

void append_string(std::string_view bytes, const ColumnPlan& c, size_t padded_length, Row& row,
                   std::string& scratch) {
  switch (c.encoding) {
    case TextEncoding::kUtf8:
      row.append(bytes);
      return;
    case TextEncoding::kLatin1:
    case TextEncoding::kConverted:
      scratch.clear();
      c.converter->append(bytes, scratch);
      row.append(scratch);
      return;
    case TextEncoding::kBinary:
      row.begin_value();
      detail::append_bytea_hex(bytes, padded_length,
                               [&](std::string_view piece) { row.append_text(piece); });
      return;
  }
}

void read_enum(ByteReader& in, const ColumnPlan& c, Row& row) {
  uint64_t index = in.le(c.pack_length);
  // Index 0 is MySQL's "invalid value" marker, which it shows as ''.
  if (index == 0) {
    row.append({});
    return;
  }
  if (index > c.value_names.size())
    throw FatalError(
        fmt::format("ENUM index {} beyond its {} values", index, c.value_names.size()));
  row.append(c.value_names[index - 1]);
}

void read_set(ByteReader& in, const ColumnPlan& c, Row& row) {
  uint64_t bits = in.le(c.pack_length);
  row.begin_value();
  bool first = true;
  for (size_t i = 0; i < 64 && bits != 0; ++i, bits >>= 1) {
    if ((bits & 1) == 0) continue;
    if (i >= c.value_names.size())
      throw FatalError(fmt::format("SET bit {} beyond its {} values", i, c.value_names.size()));
    if (!first) row.append_char(',');
    row.append_text(c.value_names[i]);
    first = false;
  }
}

void append_ewkb_hex(std::span<const uint8_t> stored, Row& row, std::string& scratch) {
  scratch.clear();
  detail::append_geometry_ewkb_hex(stored, scratch);
  row.append(scratch);
}

// --- temporal --------------------------------------------------------------------------
// Zero dates ('0000-00-00') and dates with a zero year, month or day have no PostgreSQL
// equivalent: they become NULL (docs/mysql-types.md).

bool valid_date(uint32_t year, uint32_t month, uint32_t day) {
  return year != 0 && month >= 1 && month <= 12 && day >= 1;
}

// Fractional seconds of TIME2/DATETIME2/TIMESTAMP2: (fsp + 1) / 2 big-endian bytes.
uint32_t read_fraction_us(ByteReader& in, uint8_t fsp) {
  switch (fsp) {
    case 1:
    case 2:
      return static_cast<uint32_t>(in.u8()) * 10000;
    case 3:
    case 4:
      return static_cast<uint32_t>(in.be(2)) * 100;
    case 5:
    case 6:
      return static_cast<uint32_t>(in.be(3));
    default:
      return 0;
  }
}

void append_date_value(uint32_t year, uint32_t month, uint32_t day, Row& row,
                       std::string& scratch) {
  if (!valid_date(year, month, day)) {
    row.append_null();
    return;
  }
  scratch.clear();
  detail::append_date(year, month, day, scratch);
  row.append(scratch);
}

void read_date(ByteReader& in, Row& row, std::string& scratch) {
  auto v = static_cast<uint32_t>(in.le(3));
  append_date_value(v >> 9, (v >> 5) & 15, v & 31, row, scratch);
}

void append_datetime_value(uint32_t year, uint32_t month, uint32_t day, uint32_t hms_seconds,
                           uint32_t us, bool utc, Row& row, std::string& scratch) {
  if (!valid_date(year, month, day)) {
    row.append_null();
    return;
  }
  scratch.clear();
  detail::append_date(year, month, day, scratch);
  scratch.push_back(' ');
  detail::append_clock(hms_seconds / 3600, hms_seconds / 60 % 60, hms_seconds % 60, scratch);
  detail::append_trimmed_fraction(us, scratch);
  if (utc) scratch.append("+00");
  row.append(scratch);
}

void read_datetime2(ByteReader& in, uint8_t fsp, Row& row, std::string& scratch) {
  constexpr int64_t kIntOffset = 0x8000000000;
  int64_t packed = static_cast<int64_t>(in.be(5)) - kIntOffset;
  uint32_t us = read_fraction_us(in, fsp);
  if (packed < 0) throw FatalError("negative DATETIME");
  auto ymd = static_cast<uint32_t>(packed >> 17);
  auto hms = static_cast<uint32_t>(packed & 0x1ffff);
  uint32_t year_month = ymd >> 5;
  append_datetime_value(year_month / 13, year_month % 13, ymd & 31,
                        (hms >> 12) * 3600 + ((hms >> 6) & 63) * 60 + (hms & 63), us, false, row,
                        scratch);
}

void append_unix_time(uint64_t seconds, uint32_t us, Row& row, std::string& scratch) {
  // 0 is MySQL's zero TIMESTAMP; the real range starts at 1970-01-01 00:00:01 UTC.
  if (seconds == 0 && us == 0) {
    row.append_null();
    return;
  }
  CivilDate date = civil_from_days(static_cast<int64_t>(seconds / 86400));
  append_datetime_value(static_cast<uint32_t>(date.year), date.month, date.day,
                        static_cast<uint32_t>(seconds % 86400), us, true, row, scratch);
}

void read_timestamp2(ByteReader& in, uint8_t fsp, Row& row, std::string& scratch) {
  uint64_t seconds = in.be(4);
  append_unix_time(seconds, read_fraction_us(in, fsp), row, scratch);
}

// TIME is a signed duration up to 838:59:59.999999, printed as PostgreSQL prints an
// interval of that length: "-838:59:59", "01:02:03.5".
void append_duration(bool negative, uint32_t hours, uint32_t minutes, uint32_t seconds, uint32_t us,
                     Row& row, std::string& scratch) {
  scratch.clear();
  if (negative && (hours | minutes | seconds | us) != 0) scratch.push_back('-');
  detail::append_clock(hours, minutes, seconds, scratch);
  detail::append_trimmed_fraction(us, scratch);
  row.append(scratch);
}

// TIME2 (MySQL my_time.cc, my_time_packed_from_binary): the integer part is stored
// offset by 0x800000, the fraction separately; a negative value with a fraction borrows
// one second so that both parts are negative.
void read_time2(ByteReader& in, uint8_t fsp, Row& row, std::string& scratch) {
  constexpr int64_t kIntOffset = 0x800000;
  constexpr int64_t kPackedOffset = 0x800000000000;
  constexpr int64_t kFractionUnit = int64_t{1} << 24;
  int64_t packed = 0;
  if (fsp >= 5) {
    packed = static_cast<int64_t>(in.be(6)) - kPackedOffset;
  } else {
    int64_t integer = static_cast<int64_t>(in.be(3)) - kIntOffset;
    int64_t fraction = 0;
    if (fsp >= 1) {
      size_t bytes = fsp <= 2 ? 1 : 2;
      int64_t stored = static_cast<int64_t>(in.be(bytes));
      if (integer < 0 && stored != 0) {
        integer += 1;
        stored -= int64_t{1} << (8 * bytes);
      }
      fraction = stored * (bytes == 1 ? 10000 : 100);
    }
    packed = integer * kFractionUnit + fraction;
  }
  bool negative = packed < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
  uint64_t hms = magnitude >> 24;
  append_duration(negative, static_cast<uint32_t>((hms >> 12) & 0x3ff),
                  static_cast<uint32_t>((hms >> 6) & 63), static_cast<uint32_t>(hms & 63),
                  static_cast<uint32_t>(magnitude & 0xffffff), row, scratch);
}

// Pre-5.6.4 forms, still found in tables never rebuilt since.
void read_old_time(ByteReader& in, Row& row, std::string& scratch) {
  auto raw = static_cast<int32_t>(static_cast<uint32_t>(in.le(3)) << 8) >> 8;
  bool negative = raw < 0;
  uint32_t v = negative ? static_cast<uint32_t>(-raw) : static_cast<uint32_t>(raw);
  append_duration(negative, v / 10000, v / 100 % 100, v % 100, 0, row, scratch);
}

void read_old_datetime(ByteReader& in, Row& row, std::string& scratch) {
  uint64_t v = in.le(8);  // YYYYMMDDhhmmss as a decimal number
  auto date = static_cast<uint32_t>(v / 1000000);
  auto time = static_cast<uint32_t>(v % 1000000);
  append_datetime_value(date / 10000, date / 100 % 100, date % 100,
                        time / 10000 * 3600 + time / 100 % 100 * 60 + time % 100, 0, false, row,
                        scratch);
}

void read_year(ByteReader& in, Row& row) {
  uint8_t v = in.u8();
  // 0 is YEAR's zero value '0000', which PostgreSQL cannot tell from a real year.
  if (v == 0) {
    row.append_null();
    return;
  }
  append_integer(row, 1900 + static_cast<int>(v));
}

void read_bit(ByteReader& in, uint8_t width, Row& row) {
  uint64_t v = in.be((width + 7u) / 8u);
  char bits[64];
  for (unsigned i = 0; i < width; ++i) bits[i] = ((v >> (width - 1 - i)) & 1) ? '1' : '0';
  row.append(std::string_view(bits, width));
}

std::string column_charset(const ColumnInfo* info) {
  if (info != nullptr && !info->charset.empty()) return info->charset;
  return "latin1";  // the one converted character set a collation id alone tells
}

ColumnPlan make_plan(const TableMapColumn& column, const ColumnInfo* info, size_t index) {
  ColumnPlan plan;
  plan.type = column.real_type;
  plan.max_length = column.max_length;
  plan.precision = column.precision;
  plan.scale = column.scale;
  plan.fsp = column.fsp;
  plan.pack_length = column.pack_length;
  plan.bit_width = column.bit_width;
  plan.is_unsigned = resolve_unsigned(column, info);
  plan.encoding = resolve_text_encoding(column, info);
  if (!column.name.empty())
    plan.name = column.name;
  else if (info != nullptr && !info->name.empty())
    plan.name = info->name;
  else
    plan.name = fmt::format("#{}", index + 1);
  if (plan.encoding == TextEncoding::kLatin1 || plan.encoding == TextEncoding::kConverted)
    plan.converter = std::make_unique<Utf8Converter>(column_charset(info));
  if (is_enum_or_set_column(column)) plan.value_names = resolve_value_names(column, info);
  return plan;
}

}  // namespace

bool is_rows_event(uint8_t event_type) {
  return (event_type >= kWriteRowsV1 && event_type <= kDeleteRowsV1) ||
         (event_type >= kWriteRowsV2 && event_type <= kDeleteRowsV2);
}

RowsEventHeader parse_rows_event_header(uint8_t event_type, std::span<const uint8_t> body) {
  ByteReader in(body);
  return read_header(event_type, in);
}

RowsDecoder::RowsDecoder(TableMap map, std::vector<ColumnInfo> columns) : map_(std::move(map)) {
  if (!columns.empty() && columns.size() != map_.columns.size())
    throw FatalError(fmt::format(
        "{}.{}: the binlog's TABLE_MAP has {} columns, the schema {}: the table changed "
        "since this event was written",
        map_.database, map_.table, map_.columns.size(), columns.size()));
  plan_.reserve(map_.columns.size());
  for (size_t i = 0; i < map_.columns.size(); ++i) {
    const ColumnInfo* info = columns.empty() ? nullptr : &columns[i];
    try {
      plan_.push_back(make_plan(map_.columns[i], info, i));
    } catch (const ConfigError& e) {
      throw FatalError(fmt::format("{}.{} column {}: {}: convert the column to utf8mb4",
                                   map_.database, map_.table,
                                   info != nullptr ? info->name : map_.columns[i].name, e.what()));
    }
    const ColumnPlan& p = plan_.back();
    if ((p.type == ColumnType::kEnum || p.type == ColumnType::kSet) && p.value_names.empty())
      throw FatalError(fmt::format(
          "{}.{} column {}: no {} value names (set binlog_row_metadata=FULL or pass the schema)",
          map_.database, map_.table, p.name, column_type_name(p.type)));
  }
  before_.reserve(plan_.size());
  after_.reserve(plan_.size());
}

RowsEventHeader RowsDecoder::begin(uint8_t event_type, std::span<const uint8_t> body) {
  try {
    in_ = ByteReader(body);
    RowsEventHeader header = read_header(event_type, in_);
    if (header.table_id != map_.table_id)
      throw FatalError(fmt::format("rows event for table id {}, table map is for {}",
                                   header.table_id.value, map_.table_id.value));
    kind_ = header.kind;
    uint64_t column_count = in_.lenenc();
    if (column_count != map_.columns.size())
      throw FatalError(fmt::format("rows event has {} columns, TABLE_MAP {}", column_count,
                                   map_.columns.size()));
    size_t bitmap_bytes = (column_count + 7) / 8;
    before_present_ = in_.bytes(bitmap_bytes);
    after_present_ = kind_ == RowsEventKind::kUpdate ? in_.bytes(bitmap_bytes) : before_present_;
    return header;
  } catch (const FatalError& e) {
    throw FatalError(fmt::format("{}.{}: {}", map_.database, map_.table, e.what()));
  }
}

bool RowsDecoder::next_row() {
  before_.clear();
  after_.clear();
  if (in_.at_end()) return false;
  size_t start = in_.position();
  switch (kind_) {
    case RowsEventKind::kWrite:
      read_image(after_present_, after_);
      break;
    case RowsEventKind::kDelete:
      read_image(before_present_, before_);
      break;
    case RowsEventKind::kUpdate:
      read_image(before_present_, before_);
      read_image(after_present_, after_);
      break;
  }
  // An image whose column bitmap names no column takes no bytes: reading on would never
  // reach the end of the event.
  if (in_.position() == start)
    throw FatalError(
        fmt::format("{}.{}: rows event image names no column", map_.database, map_.table));
  return true;
}

// One row image: a null bitmap over the present columns, then the values of the present,
// non-null columns in column order.
void RowsDecoder::read_image(std::span<const uint8_t> present, Row& row) {
  size_t column = 0;
  try {
    size_t present_count = count_set(present, plan_.size());
    auto nulls = in_.bytes((present_count + 7) / 8);
    size_t present_index = 0;
    for (; column < plan_.size(); ++column) {
      if (!bit_set(present, column)) {
        row.append_unchanged();
        continue;
      }
      if (bit_set(nulls, present_index++)) {
        row.append_null();
        continue;
      }
      read_value(plan_[column], row);
    }
  } catch (const FatalError& e) {
    if (column >= plan_.size())
      throw FatalError(fmt::format("{}.{}: {}", map_.database, map_.table, e.what()));
    const ColumnPlan& c = plan_[column];
    throw FatalError(fmt::format("{}.{} column {}: {} value: {}", map_.database, map_.table, c.name,
                                 column_type_name(c.type), e.what()));
  }
}

void RowsDecoder::read_value(const ColumnPlan& c, Row& row) {
  switch (c.type) {
    case ColumnType::kTiny:
      return read_integer(in_, 1, c.is_unsigned, row);
    case ColumnType::kShort:
      return read_integer(in_, 2, c.is_unsigned, row);
    case ColumnType::kInt24:
      return read_integer(in_, 3, c.is_unsigned, row);
    case ColumnType::kLong:
      return read_integer(in_, 4, c.is_unsigned, row);
    case ColumnType::kLongLong:
      return read_integer(in_, 8, c.is_unsigned, row);
    case ColumnType::kFloat:
      return append_floating(row, std::bit_cast<float>(in_.u32()));
    case ColumnType::kDouble:
      return append_floating(row, std::bit_cast<double>(in_.le(8)));
    case ColumnType::kNewDecimal:
      scratch_.clear();
      detail::append_decimal(in_.bytes(detail::decimal_binary_size(c.precision, c.scale)),
                             c.precision, c.scale, scratch_);
      return row.append(scratch_);
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      return append_string(in_.chars(in_.le(c.max_length > 255 ? 2 : 1)), c, 0, row, scratch_);
    case ColumnType::kString:
      // BINARY(n) is logged without its trailing zero bytes; the column value has them.
      return append_string(in_.chars(in_.le(c.max_length > 255 ? 2 : 1)), c, c.max_length, row,
                           scratch_);
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      return append_string(in_.chars(in_.le(c.pack_length)), c, 0, row, scratch_);
    case ColumnType::kEnum:
      return read_enum(in_, c, row);
    case ColumnType::kSet:
      return read_set(in_, c, row);
    case ColumnType::kJson:
      scratch_.clear();
      append_json_text(in_.bytes(in_.le(c.pack_length)), scratch_);
      return row.append(scratch_);
    case ColumnType::kGeometry:
      return append_ewkb_hex(in_.bytes(in_.le(c.pack_length)), row, scratch_);
    case ColumnType::kBit:
      return read_bit(in_, c.bit_width, row);
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      return read_date(in_, row, scratch_);
    case ColumnType::kYear:
      return read_year(in_, row);
    case ColumnType::kTime2:
      return read_time2(in_, c.fsp, row, scratch_);
    case ColumnType::kDatetime2:
      return read_datetime2(in_, c.fsp, row, scratch_);
    case ColumnType::kTimestamp2:
      return read_timestamp2(in_, c.fsp, row, scratch_);
    case ColumnType::kTime:
      return read_old_time(in_, row, scratch_);
    case ColumnType::kDatetime:
      return read_old_datetime(in_, row, scratch_);
    case ColumnType::kTimestamp:
      return append_unix_time(in_.le(4), 0, row, scratch_);
    case ColumnType::kNull:
      return row.append_null();
    default:
      throw FatalError("unsupported column type");
  }
}

}  // namespace sluice::mysql
