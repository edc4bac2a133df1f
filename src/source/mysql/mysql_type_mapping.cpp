#include "source/mysql/mysql_type_mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sluice::mysql {
namespace {

// Redshift's widest VARCHAR and VARBYTE.
constexpr uint32_t kRedshiftMaxVarchar = 65535;
constexpr uint32_t kRedshiftMaxVarbyte = 1024000;
constexpr int kRedshiftMaxNumericPrecision = 38;

// A column reduced to what the mapping needs, whichever side described it.
enum class Kind : uint8_t {
  kTinyInt,
  kSmallInt,
  kMediumInt,
  kInt,
  kBigInt,
  kDecimal,
  kFloat,
  kDouble,
  kBit,
  kDate,
  kTime,
  kDatetime,
  kTimestamp,
  kYear,
  kChar,  // CHAR and VARCHAR: bounded text
  kText,  // TINYTEXT..LONGTEXT
  kBinary,
  kBlob,
  kEnum,
  kSet,
  kJson,
  kGeometry,
  kUnknown,
};

struct Descriptor {
  Kind kind = Kind::kUnknown;
  bool is_unsigned = false;
  // BIT: width in bits; BINARY: bytes; text: the longest value in UTF-8 bytes.
  uint32_t length = 0;
  uint32_t precision = 0;
  uint32_t scale = 0;
  uint32_t fsp = 0;
  TextEncoding encoding = TextEncoding::kUtf8;
  std::string original;  // the declared type, for kUnknown
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "decimal(12,4) unsigned" -> base "decimal", arguments {12, 4}.
struct DeclaredType {
  std::string base;
  std::vector<uint32_t> args;
  bool is_unsigned = false;
};

DeclaredType split_declared(std::string_view declared) {
  DeclaredType out;
  std::string text = lower(declared);
  size_t base_end = text.find_first_of("( ");
  out.base = text.substr(0, base_end);
  out.is_unsigned = text.find(" unsigned") != std::string::npos;
  if (base_end == std::string::npos || text[base_end] != '(') return out;
  if (out.base == "enum" || out.base == "set") return out;
  size_t close = text.find(')', base_end);
  std::string_view inside = std::string_view(text).substr(base_end + 1, close - base_end - 1);
  while (!inside.empty()) {
    uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), v);
    if (ec != std::errc()) break;
    out.args.push_back(v);
    inside.remove_prefix(static_cast<size_t>(ptr - inside.data()));
    if (!inside.empty() && inside.front() == ',') inside.remove_prefix(1);
  }
  return out;
}

uint32_t arg(const DeclaredType& t, size_t i, uint32_t fallback) {
  return i < t.args.size() ? t.args[i] : fallback;
}

Kind declared_kind(std::string_view base) {
  static constexpr std::pair<std::string_view, Kind> kKinds[] = {
      {"tinyint", Kind::kTinyInt},
      {"bool", Kind::kTinyInt},
      {"boolean", Kind::kTinyInt},
      {"smallint", Kind::kSmallInt},
      {"mediumint", Kind::kMediumInt},
      {"int", Kind::kInt},
      {"integer", Kind::kInt},
      {"bigint", Kind::kBigInt},
      {"decimal", Kind::kDecimal},
      {"numeric", Kind::kDecimal},
      {"float", Kind::kFloat},
      {"double", Kind::kDouble},
      {"real", Kind::kDouble},
      {"bit", Kind::kBit},
      {"date", Kind::kDate},
      {"time", Kind::kTime},
      {"datetime", Kind::kDatetime},
      {"timestamp", Kind::kTimestamp},
      {"year", Kind::kYear},
      {"char", Kind::kChar},
      {"varchar", Kind::kChar},
      {"tinytext", Kind::kText},
      {"text", Kind::kText},
      {"mediumtext", Kind::kText},
      {"longtext", Kind::kText},
      {"binary", Kind::kBinary},
      {"varbinary", Kind::kBinary},
      {"tinyblob", Kind::kBlob},
      {"blob", Kind::kBlob},
      {"mediumblob", Kind::kBlob},
      {"longblob", Kind::kBlob},
      {"enum", Kind::kEnum},
      {"set", Kind::kSet},
      {"json", Kind::kJson},
      {"geometry", Kind::kGeometry},
      {"point", Kind::kGeometry},
      {"linestring", Kind::kGeometry},
      {"polygon", Kind::kGeometry},
      {"multipoint", Kind::kGeometry},
      {"multilinestring", Kind::kGeometry},
      {"multipolygon", Kind::kGeometry},
      {"geometrycollection", Kind::kGeometry},
  };
  for (const auto& [name, kind] : kKinds)
    if (name == base) return kind;
  return Kind::kUnknown;
}

// Longest text of an ENUM value or of a SET value (all names, comma-separated), in bytes.
uint32_t longest_value_bytes(Kind kind, const std::vector<std::string>& names) {
  size_t longest = 0;
  size_t all = 0;
  for (const std::string& n : names) {
    longest = std::max(longest, n.size());
    all += n.size() + 1;
  }
  return static_cast<uint32_t>(kind == Kind::kSet ? all : longest);
}

Descriptor describe_declared(const ColumnInfo& info) {
  DeclaredType t = split_declared(info.declared_type);
  Descriptor d;
  d.kind = declared_kind(t.base);
  d.is_unsigned = t.is_unsigned || info.is_unsigned;
  d.encoding = encoding_of_charset(info.charset);
  d.original = info.declared_type;
  switch (d.kind) {
    case Kind::kDecimal:
      d.precision = arg(t, 0, 10);
      d.scale = arg(t, 1, 0);
      break;
    case Kind::kBit:
      d.length = arg(t, 0, 1);
      break;
    case Kind::kTime:
    case Kind::kDatetime:
    case Kind::kTimestamp:
      d.fsp = arg(t, 0, 0);
      break;
    case Kind::kChar:
      // Characters to bytes: four per character covers utf8mb4.
      d.length = arg(t, 0, 1) * 4;
      break;
    case Kind::kBinary:
      d.length = arg(t, 0, 1);
      d.encoding = TextEncoding::kBinary;
      break;
    case Kind::kBlob:
      d.encoding = TextEncoding::kBinary;
      break;
    case Kind::kEnum:
    case Kind::kSet: {
      const auto& names = d.kind == Kind::kEnum ? info.enum_values : info.set_values;
      d.length = longest_value_bytes(
          d.kind, names.empty() ? parse_declared_values(info.declared_type) : names);
      break;
    }
    default:
      break;
  }
  return d;
}

Kind integer_kind(ColumnType type) {
  switch (type) {
    case ColumnType::kTiny:
      return Kind::kTinyInt;
    case ColumnType::kShort:
      return Kind::kSmallInt;
    case ColumnType::kInt24:
      return Kind::kMediumInt;
    case ColumnType::kLong:
      return Kind::kInt;
    default:
      return Kind::kBigInt;
  }
}

Descriptor describe_binlog(const TableMapColumn& column, const ColumnInfo* info) {
  Descriptor d;
  d.is_unsigned = resolve_unsigned(column, info);
  d.encoding = resolve_text_encoding(column, info);
  d.fsp = column.fsp;
  switch (column.real_type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
      d.kind = integer_kind(column.real_type);
      break;
    case ColumnType::kNewDecimal:
      d.kind = Kind::kDecimal;
      d.precision = column.precision;
      d.scale = column.scale;
      break;
    case ColumnType::kFloat:
      d.kind = Kind::kFloat;
      break;
    case ColumnType::kDouble:
      d.kind = Kind::kDouble;
      break;
    case ColumnType::kBit:
      d.kind = Kind::kBit;
      d.length = column.bit_width;
      break;
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      d.kind = Kind::kDate;
      break;
    case ColumnType::kTime:
    case ColumnType::kTime2:
      d.kind = Kind::kTime;
      break;
    case ColumnType::kDatetime:
    case ColumnType::kDatetime2:
      d.kind = Kind::kDatetime;
      break;
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      d.kind = Kind::kTimestamp;
      break;
    case ColumnType::kYear:
      d.kind = Kind::kYear;
      break;
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kString:
      d.kind = d.encoding == TextEncoding::kBinary ? Kind::kBinary : Kind::kChar;
      // A byte of any other character set takes up to three bytes in UTF-8.
      d.length =
          column.max_length *
          (d.encoding == TextEncoding::kLatin1 || d.encoding == TextEncoding::kConverted ? 3u : 1u);
      break;
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      d.kind = d.encoding == TextEncoding::kBinary ? Kind::kBlob : Kind::kText;
      break;
    case ColumnType::kEnum:
    case ColumnType::kSet:
      d.kind = column.real_type == ColumnType::kEnum ? Kind::kEnum : Kind::kSet;
      d.length = longest_value_bytes(d.kind, resolve_value_names(column, info));
      break;
    case ColumnType::kJson:
      d.kind = Kind::kJson;
      break;
    case ColumnType::kGeometry:
      d.kind = Kind::kGeometry;
      break;
    default:
      d.kind = Kind::kUnknown;
      d.original = column_type_name(column.real_type);
  }
  return d;
}

std::string redshift_varchar(uint64_t bytes) {
  return fmt::format("VARCHAR({})", std::clamp<uint64_t>(bytes, 1, kRedshiftMaxVarchar));
}

WarehouseTypes integer_types(const Descriptor& d) {
  switch (d.kind) {
    case Kind::kTinyInt:
      return {LogicalType::kInt16, "smallint", "SMALLINT"};
    case Kind::kSmallInt:
      if (d.is_unsigned) return {LogicalType::kInt32, "integer", "INTEGER"};
      return {LogicalType::kInt16, "smallint", "SMALLINT"};
    case Kind::kMediumInt:
      return {LogicalType::kInt32, "integer", "INTEGER"};
    case Kind::kInt:
      if (d.is_unsigned) return {LogicalType::kInt64, "bigint", "BIGINT"};
      return {LogicalType::kInt32, "integer", "INTEGER"};
    default:
      if (d.is_unsigned) return {LogicalType::kNumeric, "numeric(20,0)", "NUMERIC(20,0)"};
      return {LogicalType::kInt64, "bigint", "BIGINT"};
  }
}

WarehouseTypes map_descriptor(const Descriptor& d) {
  switch (d.kind) {
    case Kind::kTinyInt:
    case Kind::kSmallInt:
    case Kind::kMediumInt:
    case Kind::kInt:
    case Kind::kBigInt:
      return integer_types(d);
    case Kind::kDecimal: {
      std::string pg = fmt::format("numeric({},{})", d.precision, d.scale);
      if (d.precision > kRedshiftMaxNumericPrecision)
        return {LogicalType::kNumeric, pg, redshift_varchar(d.precision + 2)};
      return {LogicalType::kNumeric, pg, fmt::format("NUMERIC({},{})", d.precision, d.scale)};
    }
    case Kind::kFloat:
      return {LogicalType::kFloat32, "real", "REAL"};
    case Kind::kDouble:
      return {LogicalType::kFloat64, "double precision", "DOUBLE PRECISION"};
    case Kind::kBit:
      return {LogicalType::kOther, fmt::format("bit({})", d.length), redshift_varchar(d.length)};
    case Kind::kDate:
      return {LogicalType::kDate, "date", "DATE"};
    case Kind::kTime:
      // TIME is a duration up to +-838:59:59.999999; PostgreSQL's time stops at 24:00.
      return {LogicalType::kOther, "interval", redshift_varchar(17)};
    case Kind::kDatetime:
      return {LogicalType::kTimestamp, fmt::format("timestamp({}) without time zone", d.fsp),
              "TIMESTAMP"};
    case Kind::kTimestamp:
      return {LogicalType::kTimestampTz, fmt::format("timestamp({}) with time zone", d.fsp),
              "TIMESTAMPTZ"};
    case Kind::kYear:
      return {LogicalType::kInt16, "smallint", "SMALLINT"};
    case Kind::kChar:
      return {LogicalType::kText, "text", redshift_varchar(d.length)};
    case Kind::kText:
      return {LogicalType::kText, "text", redshift_varchar(kRedshiftMaxVarchar)};
    case Kind::kBinary:
      return {LogicalType::kBytes, "bytea", fmt::format("VARBYTE({})", std::max(d.length, 1u))};
    case Kind::kBlob:
      return {LogicalType::kBytes, "bytea", fmt::format("VARBYTE({})", kRedshiftMaxVarbyte)};
    case Kind::kEnum:
    case Kind::kSet:
      return {LogicalType::kText, "text",
              redshift_varchar(d.length == 0 ? kRedshiftMaxVarchar : d.length)};
    case Kind::kJson:
      return {LogicalType::kJson, "jsonb", redshift_varchar(kRedshiftMaxVarchar)};
    case Kind::kGeometry:
      // EWKB hex text: PostGIS casts it (col::geometry) without requiring PostGIS here;
      // Redshift's GEOMETRY loads hex EWKB directly.
      return {LogicalType::kOther, "text", "GEOMETRY"};
    case Kind::kUnknown:
      break;
  }
  return {LogicalType::kOther, "text", redshift_varchar(kRedshiftMaxVarchar)};
}

}  // namespace

bool resolve_unsigned(const TableMapColumn& column, const ColumnInfo* info) {
  if (column.is_unsigned) return *column.is_unsigned;
  if (info == nullptr) return false;
  return info->is_unsigned || split_declared(info->declared_type).is_unsigned;
}

TextEncoding resolve_text_encoding(const TableMapColumn& column, const ColumnInfo* info) {
  if (info != nullptr && !info->charset.empty()) return encoding_of_charset(info->charset);
  if (column.collation) return encoding_of_collation(*column.collation);
  if (info == nullptr) return TextEncoding::kUtf8;
  Kind kind = declared_kind(split_declared(info->declared_type).base);
  return kind == Kind::kBinary || kind == Kind::kBlob ? TextEncoding::kBinary : TextEncoding::kUtf8;
}

std::vector<std::string> resolve_value_names(const TableMapColumn& column, const ColumnInfo* info) {
  if (!column.value_names.empty()) {
    // The binlog's names are in the column's character set; information_schema's are
    // already UTF-8 (the connection's character set).
    TextEncoding encoding = resolve_text_encoding(column, info);
    if (encoding == TextEncoding::kUtf8 || encoding == TextEncoding::kBinary)
      return column.value_names;
    Utf8Converter converter(info != nullptr && !info->charset.empty() ? info->charset : "latin1");
    std::vector<std::string> converted(column.value_names.size());
    for (size_t i = 0; i < converted.size(); ++i)
      converter.append(column.value_names[i], converted[i]);
    return converted;
  }
  if (info == nullptr) return {};
  const auto& given = column.real_type == ColumnType::kSet ? info->set_values : info->enum_values;
  if (!given.empty()) return given;
  return parse_declared_values(info->declared_type);
}

TextEncoding encoding_of_collation(uint32_t collation_id) {
  // latin1's collations in MySQL 8 and MariaDB 10.11 (including MariaDB's _nopad ones).
  static constexpr uint32_t kLatin1[] = {5, 8, 15, 31, 47, 48, 49, 94, 1032, 1071};
  constexpr uint32_t kBinaryCollation = 63;
  if (collation_id == kBinaryCollation) return TextEncoding::kBinary;
  if (std::find(std::begin(kLatin1), std::end(kLatin1), collation_id) != std::end(kLatin1))
    return TextEncoding::kLatin1;
  return TextEncoding::kUtf8;
}

WarehouseTypes warehouse_types(const ColumnInfo& info) {
  return map_descriptor(describe_declared(info));
}

WarehouseTypes warehouse_types(const TableMapColumn& column, const ColumnInfo* info) {
  if (info != nullptr && !info->declared_type.empty()) return warehouse_types(*info);
  return map_descriptor(describe_binlog(column, info));
}

std::vector<std::string> parse_declared_values(std::string_view declared_type) {
  std::vector<std::string> names;
  size_t open = declared_type.find('(');
  std::string base = lower(declared_type.substr(0, open));
  if (open == std::string_view::npos || (base != "enum" && base != "set")) return names;
  // Values are single-quoted; a quote inside a value is doubled.
  size_t i = open + 1;
  while (i < declared_type.size() && declared_type[i] == '\'') {
    std::string name;
    for (++i; i < declared_type.size(); ++i) {
      if (declared_type[i] == '\'') {
        if (i + 1 < declared_type.size() && declared_type[i + 1] == '\'') {
          name.push_back('\'');
          ++i;
          continue;
        }
        break;
      }
      name.push_back(declared_type[i]);
    }
    names.push_back(std::move(name));
    i += 2;  // closing quote, then ',' or ')'
  }
  return names;
}

}  // namespace sluice::mysql
