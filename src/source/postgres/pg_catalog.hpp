#pragma once
// What the PostgreSQL source reads from the source's catalog: which tables to capture,
// their columns and keys, and the publication that makes pgoutput send them.

#include <string>
#include <unordered_map>
#include <vector>

#include "core/schema.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice::pg {

struct TableRef {
  std::string schema;
  std::string name;
  std::string qualified() const { return schema + "." + name; }
};

// The configured tables ("orders" or "sales.orders"; unqualified names are looked up
// in the connection's search_path), or every ordinary or partitioned table with a
// primary key or a replica identity index (partitions are captured through their root).
// Throws ConfigError naming a table that does not exist or is a partition.
std::vector<TableRef> resolve_tables(PgConnection& conn,
                                     const std::vector<std::string>& configured);

// Columns in attribute order (as pgoutput and COPY send them), keys from the primary key
// or the replica identity index. Throws ConfigError for a table without either.
TableSchemaPtr read_table_schema(PgConnection& conn, const TableRef& table);

// The planner's row estimate (pg_class.reltuples), 0 for a table never analyzed.
uint64_t estimated_rows(PgConnection& conn, const TableRef& table);

// Problems that make a table uncapturable ("public.t has no primary key ..."), one per line.
std::vector<std::string> table_problems(PgConnection& conn, const std::vector<TableRef>& tables);

// Creates the publication for exactly these tables, publishing partitions' changes
// through their partitioned root, or updates an existing one.
void ensure_publication(PgConnection& conn, const std::string& publication,
                        const std::vector<TableRef>& tables);

std::string slot_name(const std::string& pipeline);
std::string publication_name(const std::string& pipeline);

}  // namespace sluice::pg
