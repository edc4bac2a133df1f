#include "source/postgres/pg_column_types.hpp"

#include <fmt/format.h>

namespace sluice::pg {
namespace {

// typmod layouts from PostgreSQL's adt code: varchar/bpchar store length + 4 (VARHDRSZ),
// numeric stores ((precision << 16) | scale) + 4, time types store the precision.
std::string with_length(std::string_view name, int32_t typmod) {
  if (typmod < 4) return std::string(name);
  return fmt::format("{}({})", name, typmod - 4);
}

std::string numeric_type(int32_t typmod) {
  if (typmod < 4) return "numeric";
  int32_t packed = typmod - 4;
  return fmt::format("numeric({},{})", (packed >> 16) & 0xffff, packed & 0xffff);
}

std::string with_precision(std::string_view name, std::string_view suffix, int32_t typmod) {
  if (typmod < 0) return fmt::format("{}{}", name, suffix);
  return fmt::format("{}({}){}", name, typmod, suffix);
}

std::string bit_type(std::string_view name, int32_t typmod) {
  if (typmod < 0) return std::string(name);
  return fmt::format("{}({})", name, typmod);
}

}  // namespace

ColumnType column_type(uint32_t oid, int32_t typmod) {
  switch (oid) {
    case 16:
      return {LogicalType::kBool, "boolean"};
    case 17:
      return {LogicalType::kBytes, "bytea"};
    case 18:
      return {LogicalType::kText, "\"char\""};
    case 19:
      return {LogicalType::kText, "name"};
    case 20:
      return {LogicalType::kInt64, "bigint"};
    case 21:
      return {LogicalType::kInt16, "smallint"};
    case 23:
      return {LogicalType::kInt32, "integer"};
    case 25:
      return {LogicalType::kText, "text"};
    case 26:
      return {LogicalType::kInt64, "oid"};
    case 114:
      return {LogicalType::kJson, "json"};
    case 142:
      return {LogicalType::kText, "xml"};
    case 650:
      return {LogicalType::kOther, "cidr"};
    case 700:
      return {LogicalType::kFloat32, "real"};
    case 701:
      return {LogicalType::kFloat64, "double precision"};
    case 790:
      return {LogicalType::kOther, "money"};
    case 829:
      return {LogicalType::kOther, "macaddr"};
    case 869:
      return {LogicalType::kOther, "inet"};
    case 1042:
      return {LogicalType::kText, with_length("character", typmod)};
    case 1043:
      return {LogicalType::kText, with_length("character varying", typmod)};
    case 1082:
      return {LogicalType::kDate, "date"};
    case 1083:
      return {LogicalType::kTime, with_precision("time", " without time zone", typmod)};
    case 1114:
      return {LogicalType::kTimestamp, with_precision("timestamp", " without time zone", typmod)};
    case 1184:
      return {LogicalType::kTimestampTz, with_precision("timestamp", " with time zone", typmod)};
    case 1186:
      return {LogicalType::kOther, "interval"};
    case 1266:
      return {LogicalType::kOther, with_precision("time", " with time zone", typmod)};
    case 1560:
      return {LogicalType::kOther, bit_type("bit", typmod)};
    case 1562:
      return {LogicalType::kOther, bit_type("bit varying", typmod)};
    case 1700:
      return {LogicalType::kNumeric, numeric_type(typmod)};
    case 2950:
      return {LogicalType::kUuid, "uuid"};
    case 3802:
      return {LogicalType::kJson, "jsonb"};
    // Arrays of built-in types travel as their text form and keep their array type.
    case 1000:
      return {LogicalType::kOther, "boolean[]"};
    case 1001:
      return {LogicalType::kOther, "bytea[]"};
    case 1005:
      return {LogicalType::kOther, "smallint[]"};
    case 1007:
      return {LogicalType::kOther, "integer[]"};
    case 1009:
      return {LogicalType::kOther, "text[]"};
    case 1014:
      return {LogicalType::kOther, "character[]"};
    case 1015:
      return {LogicalType::kOther, "character varying[]"};
    case 1016:
      return {LogicalType::kOther, "bigint[]"};
    case 1021:
      return {LogicalType::kOther, "real[]"};
    case 1022:
      return {LogicalType::kOther, "double precision[]"};
    case 1115:
      return {LogicalType::kOther, "timestamp without time zone[]"};
    case 1182:
      return {LogicalType::kOther, "date[]"};
    case 1185:
      return {LogicalType::kOther, "timestamp with time zone[]"};
    case 1231:
      return {LogicalType::kOther, "numeric[]"};
    case 2951:
      return {LogicalType::kOther, "uuid[]"};
    case 199:
      return {LogicalType::kOther, "json[]"};
    case 3807:
      return {LogicalType::kOther, "jsonb[]"};
    default:
      return {LogicalType::kText, "text"};
  }
}

}  // namespace sluice::pg
