#pragma once
// What the MySQL source reads from information_schema: which tables to capture, their
// columns (declared types, signedness, charsets, ENUM/SET names) and primary keys.

#include <string>
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

// The sluice schema of a definition: warehouse types from the declared types, keys from
// the primary key. Throws ConfigError for a table without a primary key.
TableSchemaPtr schema_of(const TableDefinition& definition);

// "db.t has no primary key ..." for every captured table that cannot be mirrored.
std::vector<std::string> table_problems(MySqlConnection& conn,
                                        const std::vector<MySqlTableRef>& tables);

}  // namespace sluice::mysql
