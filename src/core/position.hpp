#pragma once
// Source positions. Each source has its own strongly typed position; the checkpoint
// table stores them in the text form produced by to_string() and read by parse_*.

#include <compare>
#include <cstdint>
#include <string>
#include <variant>

namespace sluice {

// A PostgreSQL WAL location. Text form is PostgreSQL's own: "16/B374D848".
struct Lsn {
  uint64_t value = 0;
  auto operator<=>(const Lsn&) const = default;
};

// A MySQL/MariaDB binlog coordinate, plus the GTID set where the server has one.
struct BinlogPosition {
  std::string file;
  uint64_t offset = 0;
  std::string gtid_set;
  bool operator==(const BinlogPosition&) const = default;
};

using Position = std::variant<std::monostate, Lsn, BinlogPosition>;

std::string to_string(Lsn lsn);
std::string to_string(const BinlogPosition& pos);
std::string to_string(const Position& pos);

// Whether `a` is no later than `b` in the source's log (both of the same source kind;
// binlog files compare by their number).
bool at_or_before(const Position& a, const Position& b);

// Parses the text form written by to_string; throws ConfigError on malformed input.
Lsn parse_lsn(std::string_view text);
BinlogPosition parse_binlog_position(std::string_view text);
Position parse_position(std::string_view text);

}  // namespace sluice
