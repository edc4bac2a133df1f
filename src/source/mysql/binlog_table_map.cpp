#include "source/mysql/binlog_table_map.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "source/mysql/binlog_byte_reader.hpp"

namespace sluice::mysql {
namespace {

using detail::ByteReader;

// Optional metadata field types (MySQL Table_map_event::Optional_metadata_field_type).
enum class MetadataField : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
};

// STRING packs the real type and the high bits of the maximum length into its first
// metadata byte (MySQL Field_string::do_save_field_metadata).
void unpack_string_metadata(uint8_t b0, uint8_t b1, TableMapColumn& column) {
  if ((b0 & 0x30) != 0x30) {
    column.real_type = static_cast<ColumnType>(b0 | 0x30);
    column.max_length = static_cast<uint16_t>(b1 | (((b0 & 0x30) ^ 0x30) << 4));
    return;
  }
  column.real_type = static_cast<ColumnType>(b0);
  column.max_length = b1;
  if (column.real_type == ColumnType::kEnum || column.real_type == ColumnType::kSet)
    column.pack_length = b1;
}

void read_type_metadata(ByteReader& in, TableMapColumn& column) {
  column.real_type = column.type;
  switch (column.type) {
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kGeometry:
    case ColumnType::kJson:
      column.pack_length = in.u8();
      break;
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      column.max_length = in.u16();
      break;
    case ColumnType::kBit: {
      uint8_t extra_bits = in.u8();
      uint8_t whole_bytes = in.u8();
      column.bit_width = static_cast<uint8_t>(whole_bytes * 8 + extra_bits);
      break;
    }
    case ColumnType::kNewDecimal:
      column.precision = in.u8();
      column.scale = in.u8();
      break;
    case ColumnType::kString:
    case ColumnType::kEnum:
    case ColumnType::kSet: {
      uint8_t b0 = in.u8();
      uint8_t b1 = in.u8();
      unpack_string_metadata(b0, b1, column);
      break;
    }
    case ColumnType::kTimestamp2:
    case ColumnType::kDatetime2:
    case ColumnType::kTime2:
      column.fsp = in.u8();
      break;
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kLong:
    case ColumnType::kNull:
    case ColumnType::kTimestamp:
    case ColumnType::kLongLong:
    case ColumnType::kInt24:
    case ColumnType::kDate:
    case ColumnType::kTime:
    case ColumnType::kDatetime:
    case ColumnType::kYear:
    case ColumnType::kNewDate:
      break;
    default:
      throw FatalError(
          fmt::format("unsupported column type {}", static_cast<unsigned>(column.type)));
  }
}

// Limits of the server's own types: anything beyond them is a corrupt event, and checking
// once here keeps the rows decoder from reading past a value.
void check_type_metadata(const TableMapColumn& c) {
  auto bad = [&](std::string_view what, unsigned value) {
    throw FatalError(
        fmt::format("{} column with {} {}", column_type_name(c.real_type), what, value));
  };
  bool string_real_type = c.real_type == ColumnType::kString || c.real_type == ColumnType::kEnum ||
                          c.real_type == ColumnType::kSet || c.real_type == ColumnType::kVarString;
  if (c.type == ColumnType::kString && !string_real_type)
    bad("real type", static_cast<unsigned>(c.real_type));
  switch (c.real_type) {
    case ColumnType::kBit:
      if (c.bit_width == 0 || c.bit_width > 64) bad("bit width", c.bit_width);
      break;
    case ColumnType::kNewDecimal:
      if (c.precision == 0 || c.precision > 65 || c.scale > 30 || c.scale > c.precision)
        bad("precision", c.precision * 100u + c.scale);
      break;
    case ColumnType::kEnum:
      if (c.pack_length < 1 || c.pack_length > 2) bad("pack length", c.pack_length);
      break;
    case ColumnType::kSet:
      if (c.pack_length < 1 || c.pack_length > 8) bad("pack length", c.pack_length);
      break;
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kGeometry:
    case ColumnType::kJson:
      if (c.pack_length < 1 || c.pack_length > 4) bad("length size", c.pack_length);
      break;
    case ColumnType::kTimestamp2:
    case ColumnType::kDatetime2:
    case ColumnType::kTime2:
      if (c.fsp > 6) bad("fractional precision", c.fsp);
      break;
    default:
      break;
  }
}

template <typename Pred>
std::vector<TableMapColumn*> columns_where(std::vector<TableMapColumn>& columns, Pred pred) {
  std::vector<TableMapColumn*> out;
  for (TableMapColumn& c : columns)
    if (pred(c)) out.push_back(&c);
  return out;
}

TableMapColumn& nth(const std::vector<TableMapColumn*>& columns, uint64_t i,
                    std::string_view field) {
  if (i >= columns.size())
    throw FatalError(fmt::format("{} metadata names column {} of {}", field, i, columns.size()));
  return *columns[i];
}

void read_signedness(ByteReader& in, const std::vector<TableMapColumn*>& numeric) {
  uint8_t bits = 0;
  for (size_t i = 0; i < numeric.size(); ++i) {
    if (i % 8 == 0) bits = in.u8();
    numeric[i]->is_unsigned = (bits & (0x80 >> (i % 8))) != 0;
  }
}

// DEFAULT_CHARSET: the most common collation, then (index, collation) pairs for the
// columns that differ from it. Indexes count only the columns of that kind.
void read_default_charset(ByteReader& in, const std::vector<TableMapColumn*>& columns) {
  auto default_collation = static_cast<uint32_t>(in.lenenc());
  for (TableMapColumn* c : columns) c->collation = default_collation;
  while (!in.at_end()) {
    uint64_t index = in.lenenc();
    nth(columns, index, "charset").collation = static_cast<uint32_t>(in.lenenc());
  }
}

void read_column_charsets(ByteReader& in, const std::vector<TableMapColumn*>& columns) {
  for (TableMapColumn* c : columns) c->collation = static_cast<uint32_t>(in.lenenc());
}

void read_value_names(ByteReader& in, const std::vector<TableMapColumn*>& columns) {
  for (TableMapColumn* c : columns) {
    uint64_t count = in.lenenc();
    c->value_names.clear();
    for (uint64_t i = 0; i < count; ++i) c->value_names.emplace_back(in.chars(in.lenenc()));
  }
}

void read_primary_key(ByteReader& in, bool with_prefix, TableMap& map) {
  map.primary_key.clear();
  while (!in.at_end()) {
    uint64_t index = in.lenenc();
    if (index >= map.columns.size())
      throw FatalError(fmt::format("primary key names column {} of {}", index, map.columns.size()));
    map.primary_key.push_back(static_cast<size_t>(index));
    if (with_prefix) in.lenenc();
  }
}

void read_optional_field(MetadataField field, ByteReader& in, TableMap& map, BinlogFlavor flavor) {
  auto& cols = map.columns;
  switch (field) {
    case MetadataField::kSignedness:
      read_signedness(in, columns_where(cols, [flavor](const TableMapColumn& c) {
                        return is_numeric_column(c, flavor);
                      }));
      break;
    case MetadataField::kDefaultCharset:
      read_default_charset(in, columns_where(cols, is_character_column));
      break;
    case MetadataField::kColumnCharset:
      read_column_charsets(in, columns_where(cols, is_character_column));
      break;
    case MetadataField::kEnumAndSetDefaultCharset:
      read_default_charset(in, columns_where(cols, is_enum_or_set_column));
      break;
    case MetadataField::kEnumAndSetColumnCharset:
      read_column_charsets(in, columns_where(cols, is_enum_or_set_column));
      break;
    case MetadataField::kColumnName:
      for (TableMapColumn& c : cols) c.name = in.chars(in.lenenc());
      break;
    case MetadataField::kSetStrValue:
      read_value_names(in, columns_where(cols, [](const TableMapColumn& c) {
                         return c.real_type == ColumnType::kSet;
                       }));
      break;
    case MetadataField::kEnumStrValue:
      read_value_names(in, columns_where(cols, [](const TableMapColumn& c) {
                         return c.real_type == ColumnType::kEnum;
                       }));
      break;
    case MetadataField::kGeometryType:
      for (TableMapColumn* c : columns_where(
               cols, [](const TableMapColumn& c) { return c.real_type == ColumnType::kGeometry; }))
        c->geometry_type = static_cast<uint32_t>(in.lenenc());
      break;
    case MetadataField::kSimplePrimaryKey:
      read_primary_key(in, false, map);
      break;
    case MetadataField::kPrimaryKeyWithPrefix:
      read_primary_key(in, true, map);
      break;
  }
}

void read_optional_metadata(ByteReader& in, TableMap& map, BinlogFlavor flavor) {
  while (!in.at_end()) {
    uint8_t field = in.u8();
    auto value = in.bytes(in.lenenc());
    // Unknown fields (column visibility, later additions) are skipped by their length.
    if (field < static_cast<uint8_t>(MetadataField::kSignedness) ||
        field > static_cast<uint8_t>(MetadataField::kEnumAndSetColumnCharset))
      continue;
    ByteReader value_in(value);
    read_optional_field(static_cast<MetadataField>(field), value_in, map, flavor);
  }
}

void parse_body(ByteReader& in, TableMap& map, BinlogFlavor flavor) {
  map.table_id = TableMapId{in.le(6)};
  map.flags = in.u16();
  map.database = in.chars(in.u8());
  in.skip(1);  // NUL terminator
  map.table = in.chars(in.u8());
  in.skip(1);
  uint64_t column_count = in.lenenc();
  auto types = in.bytes(column_count);
  map.columns.resize(column_count);
  for (size_t i = 0; i < column_count; ++i) map.columns[i].type = static_cast<ColumnType>(types[i]);

  ByteReader metadata(in.bytes(in.lenenc()));
  for (TableMapColumn& c : map.columns) {
    read_type_metadata(metadata, c);
    check_type_metadata(c);
  }
  if (!metadata.at_end())
    throw FatalError(fmt::format("{} unused bytes of column metadata", metadata.remaining()));

  auto nullability = in.bytes((column_count + 7) / 8);
  for (size_t i = 0; i < column_count; ++i)
    map.columns[i].nullable = (nullability[i / 8] >> (i % 8)) & 1;

  read_optional_metadata(in, map, flavor);
}

}  // namespace

bool is_numeric_column(const TableMapColumn& column, BinlogFlavor flavor) {
  switch (column.real_type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kNewDecimal:
      return true;
    case ColumnType::kYear:
      return flavor == BinlogFlavor::kMariaDb;
    default:
      return false;
  }
}

bool is_character_column(const TableMapColumn& column) {
  switch (column.real_type) {
    case ColumnType::kString:
    case ColumnType::kVarString:
    case ColumnType::kVarchar:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      return true;
    default:
      return false;
  }
}

bool is_enum_or_set_column(const TableMapColumn& column) {
  return column.real_type == ColumnType::kEnum || column.real_type == ColumnType::kSet;
}

TableMap parse_table_map(std::span<const uint8_t> body, BinlogFlavor flavor) {
  TableMap map;
  ByteReader in(body);
  try {
    parse_body(in, map, flavor);
  } catch (const FatalError& e) {
    std::string_view table = map.table.empty() ? std::string_view("?") : map.table;
    throw FatalError(fmt::format("TABLE_MAP event for {}.{} (table id {}): {}", map.database, table,
                                 map.table_id.value, e.what()));
  }
  return map;
}

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kDecimal:
      return "DECIMAL(old)";
    case ColumnType::kTiny:
      return "TINYINT";
    case ColumnType::kShort:
      return "SMALLINT";
    case ColumnType::kLong:
      return "INT";
    case ColumnType::kFloat:
      return "FLOAT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kNull:
      return "NULL";
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      return "TIMESTAMP";
    case ColumnType::kLongLong:
      return "BIGINT";
    case ColumnType::kInt24:
      return "MEDIUMINT";
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      return "DATE";
    case ColumnType::kTime:
    case ColumnType::kTime2:
      return "TIME";
    case ColumnType::kDatetime:
    case ColumnType::kDatetime2:
      return "DATETIME";
    case ColumnType::kYear:
      return "YEAR";
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      return "VARCHAR";
    case ColumnType::kBit:
      return "BIT";
    case ColumnType::kJson:
      return "JSON";
    case ColumnType::kNewDecimal:
      return "DECIMAL";
    case ColumnType::kEnum:
      return "ENUM";
    case ColumnType::kSet:
      return "SET";
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      return "BLOB";
    case ColumnType::kString:
      return "CHAR";
    case ColumnType::kGeometry:
      return "GEOMETRY";
  }
  return "UNKNOWN";
}

}  // namespace sluice::mysql
