#pragma once
// Fuzz target body: the statement of a binlog QUERY event, as the MySQL source reads it
// (transaction control first, then the DDL that touches captured tables). Input: the
// event's current database, a newline, then the statement.

#include "fuzz_input.hpp"
#include "source/mysql/binlog_ddl.hpp"

namespace sluice::fuzz {

inline void run_binlog_ddl(std::span<const uint8_t> data) {
  std::string_view text = as_text(data);
  size_t newline = text.find('\n');
  std::string_view database = text.substr(0, newline);
  std::string_view statement =
      newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  if (mysql::is_transaction_control(statement)) return;
  std::optional<mysql::DdlStatement> ddl = mysql::parse_ddl(statement, database);
  if (ddl)
    for (const std::string& table : ddl->tables) (void)table.size();
}

}  // namespace sluice::fuzz
