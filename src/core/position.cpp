#include "core/position.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/error.hpp"

namespace sluice {

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

namespace {

uint64_t binlog_file_number(std::string_view file) {
  size_t dot = file.rfind('.');
  std::string_view digits = dot == std::string_view::npos ? "" : file.substr(dot + 1);
  uint64_t n = 0;
  for (char c : digits)
    if (c >= '0' && c <= '9') n = n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

}  // namespace

bool at_or_before(const Position& a, const Position& b) {
  if (const auto* lsn = std::get_if<Lsn>(&a)) {
    const auto* other = std::get_if<Lsn>(&b);
    return other != nullptr && *lsn <= *other;
  }
  if (const auto* binlog = std::get_if<BinlogPosition>(&a)) {
    const auto* other = std::get_if<BinlogPosition>(&b);
    if (other == nullptr) return false;
    if (binlog->file == other->file) return binlog->offset <= other->offset;
    return binlog_file_number(binlog->file) < binlog_file_number(other->file);
  }
  return std::holds_alternative<std::monostate>(b);
}

}  // namespace sluice
