#pragma once
// MySQL/MariaDB column types: how their values are read (signedness, text encoding,
// ENUM/SET names) and which warehouse column types hold them. The binlog's TABLE_MAP
// describes the column as it was when the event was written; information_schema fills
// in what the binlog leaves out (MariaDB logs no optional metadata unless
// binlog_row_metadata is MINIMAL or FULL). docs/mysql-types.md is the reference table.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"
#include "source/mysql/binlog_table_map.hpp"
#include "source/mysql/mysql_charset.hpp"

namespace sluice::mysql {

// One column as information_schema.COLUMNS describes it.
struct ColumnInfo {
  std::string name;
  // COLUMN_TYPE, e.g. "decimal(12,4)", "int(10) unsigned", "enum('a','b')", "datetime(3)".
  // MariaDB shows JSON columns as "longtext": pass "json" to get a jsonb column.
  std::string declared_type;
  bool is_unsigned = false;
  std::vector<std::string> enum_values;
  std::vector<std::string> set_values;
  // CHARACTER_SET_NAME: "utf8mb4", "latin1"; empty for non-text columns. The source puts
  // the binlog's own character set here (from the TABLE_MAP's collation ids) when it has one.
  std::string charset;
};

struct WarehouseTypes {
  LogicalType logical = LogicalType::kText;
  std::string postgres;  // e.g. "numeric(20,0)", "timestamp(3) with time zone"
  std::string redshift;  // e.g. "NUMERIC(20,0)", "TIMESTAMPTZ"
};

// The binlog metadata wins where it has the fact; `info` (may be null) fills the gaps. A
// character set in `info` wins over the collation id: the source resolves the id with the
// server's own table (information_schema.COLLATIONS) into info.charset.
bool resolve_unsigned(const TableMapColumn& column, const ColumnInfo* info);
TextEncoding resolve_text_encoding(const TableMapColumn& column, const ColumnInfo* info);
std::vector<std::string> resolve_value_names(const TableMapColumn& column, const ColumnInfo* info);

// The character set behind a collation id, for a decoder without schema columns: only
// binary and latin1 are known, anything else is taken for UTF-8.
TextEncoding encoding_of_collation(uint32_t collation_id);

// Warehouse types from the declared type alone: the snapshot path, before any TABLE_MAP.
WarehouseTypes warehouse_types(const ColumnInfo& info);
// Warehouse types for a binlog column; the declared type, when `info` has one, wins.
WarehouseTypes warehouse_types(const TableMapColumn& column, const ColumnInfo* info);

// The names inside "enum('a','b')" or "set('x','it''s')"; empty for other types.
std::vector<std::string> parse_declared_values(std::string_view declared_type);

}  // namespace sluice::mysql
