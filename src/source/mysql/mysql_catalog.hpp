#pragma once
// What the MySQL source reads from information_schema: which tables to capture, their
// columns (declared types, signedness, charsets, ENUM/SET names) and primary keys.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/schema.hpp"
#include "mysqlclient/mysql_connection.hpp"
#include "source/mysql/mysql_type_mapping.hpp"

namespace sluice::mysql {

struct MySqlTableRef {
  std::string database;
  std::string name;
  std::string qualified() const { return database + "." + name; }
  bool operator==(const MySqlTableRef&) const = default;
};

// One table as information_schema describes it now.
struct TableDefinition {
  MySqlTableRef ref;
  std::vector<ColumnInfo> columns;       // in ordinal order, as the binlog lists them
  std::vector<std::string> primary_key;  // column names
};

// The configured tables ("ticket" in the URL's database, or "sports.ticket"), or every
// base table with a primary key in the URL's database. Throws ConfigError naming a
// table that does not exist.
std::vector<MySqlTableRef> resolve_tables(MySqlConnection& conn,
                                          const std::vector<std::string>& configured);

TableDefinition read_table_definition(MySqlConnection& conn, const MySqlTableRef& table);

// The storage engine's row estimate (information_schema.TABLES.TABLE_ROWS; InnoDB's is
// sampled and can be off by tens of percent), 0 when unknown.
uint64_t estimated_rows(MySqlConnection& conn, const MySqlTableRef& table);

// Collation id -> character set name, from the server's own table: the binlog names a
// column's character set only by collation id, and ids differ between servers and versions.
using CollationCharsets = std::unordered_map<uint32_t, std::string>;
CollationCharsets read_collation_charsets(MySqlConnection& conn);

// Puts the character set of every column the TABLE_MAP gives a collation for into
// `columns` (one per map column): the binlog's own fact wins over information_schema's
// present one. Throws FatalError for a collation id the server does not list.
void use_binlog_charsets(const TableMap& map, const CollationCharsets& charsets,
                         std::vector<ColumnInfo>& columns);

// The sluice schema of a definition: warehouse types from the declared types, keys from
// the primary key. Throws ConfigError for a table without a primary key or with a column
// in a character set sluice cannot convert to UTF-8.
TableSchemaPtr schema_of(const TableDefinition& definition);

// "db.t has no primary key ..." for every captured table that cannot be mirrored, and
// every column whose character set sluice cannot convert.
std::vector<std::string> table_problems(MySqlConnection& conn,
                                        const std::vector<MySqlTableRef>& tables);

}  // namespace sluice::mysql
