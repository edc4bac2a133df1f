#pragma once
// Fuzz target body: TABLE_MAP, rows and QUERY events through the MySQL source's
// decoders, in the order the binlog delivers them. Input: a flag byte (bit 0: MySQL's flavor rather
// than MariaDB's; bit 1: a frame of information_schema columns follows, one per line as
// "name<TAB>declared type<TAB>charset<TAB>1 if unsigned"), then events, each a type
// byte and a FuzzInput frame holding the body (after the common header, without the
// checksum). Like the source, the run stops at the first FatalError.

#include <string>
#include <vector>

#include "binlog_events.hpp"
#include "core/error.hpp"
#include "fuzz_input.hpp"

namespace sluice::fuzz {

namespace detail {

// Splits `text` at `separator`; the last piece runs to the end.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  while (true) {
    size_t at = text.find(separator);
    pieces.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return pieces;
    text.remove_prefix(at + 1);
  }
}

inline std::vector<mysql::ColumnInfo> schema_columns(std::string_view text) {
  std::vector<mysql::ColumnInfo> columns;
  if (text.empty()) return columns;
  for (std::string_view line : split(text, '\n')) {
    std::vector<std::string_view> fields = split(line, '\t');
    fields.resize(4);
    columns.push_back({.name = std::string(fields[0]),
                       .declared_type = std::string(fields[1]),
                       .is_unsigned = fields[3] == "1",
                       .charset = std::string(fields[2])});
  }
  return columns;
}

}  // namespace detail

inline void run_binlog_rows(std::span<const uint8_t> data) {
  FuzzInput in(data);
  uint8_t flags = in.byte();
  auto flavor = (flags & 1) ? mysql::BinlogFlavor::kMySql : mysql::BinlogFlavor::kMariaDb;
  std::vector<mysql::ColumnInfo> schema;
  if (flags & 2) schema = detail::schema_columns(as_text(in.frame()));
  PlainEvents events(flavor, std::move(schema));
  try {
    while (!in.empty()) {
      uint8_t type = in.byte();
      events.on_event(type, in.frame());
    }
  } catch (const FatalError&) {
  }
}

}  // namespace sluice::fuzz
