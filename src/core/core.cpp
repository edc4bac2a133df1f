#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/position.hpp"
#include "core/schema.hpp"
#include "core/types.hpp"

namespace sluice {

std::string_view logical_type_name(LogicalType t) {
  switch (t) {
    case LogicalType::kBool:
      return "bool";
    case LogicalType::kInt16:
      return "int16";
    case LogicalType::kInt32:
      return "int32";
    case LogicalType::kInt64:
      return "int64";
    case LogicalType::kFloat32:
      return "float32";
    case LogicalType::kFloat64:
      return "float64";
    case LogicalType::kNumeric:
      return "numeric";
    case LogicalType::kText:
      return "text";
    case LogicalType::kBytes:
      return "bytes";
    case LogicalType::kJson:
      return "json";
    case LogicalType::kDate:
      return "date";
    case LogicalType::kTime:
      return "time";
    case LogicalType::kTimestamp:
      return "timestamp";
    case LogicalType::kTimestampTz:
      return "timestamptz";
    case LogicalType::kUuid:
      return "uuid";
    case LogicalType::kOther:
      return "other";
  }
  return "?";
}

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kInsert:
      return "insert";
    case Op::kUpdate:
      return "update";
    case Op::kDelete:
      return "delete";
    case Op::kTruncate:
      return "truncate";
  }
  return "?";
}

std::vector<size_t> TableSchema::key_indexes() const {
  std::vector<size_t> keys;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].is_key) keys.push_back(i);
  return keys;
}

std::vector<size_t> TableSchema::match_indexes() const {
  std::vector<size_t> identity;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].is_identity) identity.push_back(i);
  return identity.empty() ? key_indexes() : identity;
}

// match_indexes() == key_indexes(), without building either.
bool TableSchema::matches_by_key() const {
  if (std::ranges::none_of(columns, &Column::is_identity)) return true;
  return std::ranges::all_of(columns, [](const Column& c) { return c.is_identity == c.is_key; });
}

bool TableSchema::has_key() const {
  return std::ranges::any_of(columns, [](const Column& c) { return c.is_key; });
}

std::string TableSchema::qualified_name() const {
  return schema.empty() ? name : schema + "." + name;
}

int TableSchema::column_index(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column) return static_cast<int>(i);
  return -1;
}

std::string to_string(Lsn lsn) {
  return fmt::format("{:X}/{:X}", lsn.value >> 32, lsn.value & 0xffffffffu);
}

std::string to_string(const BinlogPosition& pos) {
  std::string text = fmt::format("{}:{}", pos.file, pos.offset);
  if (!pos.gtid_set.empty()) text += "@" + pos.gtid_set;
  return text;
}

std::string to_string(const Position& pos) {
  struct Visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(Lsn lsn) const { return "pg:" + sluice::to_string(lsn); }
    std::string operator()(const BinlogPosition& p) const {
      return "binlog:" + sluice::to_string(p);
    }
  };
  return std::visit(Visitor{}, pos);
}

namespace {

uint64_t parse_hex(std::string_view text, std::string_view whole) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    throw ConfigError(fmt::format("malformed LSN '{}'", whole));
  return value;
}

}  // namespace

Lsn parse_lsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw ConfigError(fmt::format("malformed LSN '{}'", text));
  uint64_t high = parse_hex(text.substr(0, slash), text);
  uint64_t low = parse_hex(text.substr(slash + 1), text);
  if (high > 0xffffffffu || low > 0xffffffffu)
    throw ConfigError(fmt::format("malformed LSN '{}'", text));
  return Lsn{(high << 32) | low};
}

BinlogPosition parse_binlog_position(std::string_view text) {
  BinlogPosition pos;
  size_t at = text.find('@');
  if (at != std::string_view::npos) {
    pos.gtid_set = std::string(text.substr(at + 1));
    text = text.substr(0, at);
  }
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    throw ConfigError(fmt::format("malformed binlog position '{}'", text));
  pos.file = std::string(text.substr(0, colon));
  std::string_view digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pos.offset);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty())
    throw ConfigError(fmt::format("malformed binlog position '{}'", text));
  return pos;
}

Position parse_position(std::string_view text) {
  if (text.empty()) return std::monostate{};
  if (text.starts_with("pg:")) return parse_lsn(text.substr(3));
  if (text.starts_with("binlog:")) return parse_binlog_position(text.substr(7));
  throw ConfigError(fmt::format("unknown position form '{}'", text));
}

}  // namespace sluice
