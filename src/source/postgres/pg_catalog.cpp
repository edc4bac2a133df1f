#include "source/postgres/pg_catalog.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "source/postgres/pg_column_types.hpp"

namespace sluice::pg {

std::string slot_name(const std::string& pipeline) {
  return "sluice_" + pipeline;
}
std::string publication_name(const std::string& pipeline) {
  return "sluice_" + pipeline;
}

std::vector<TableRef> resolve_tables(PgConnection& conn,
                                     const std::vector<std::string>& configured) {
  std::vector<TableRef> tables;
  if (configured.empty()) {
    PgResult r = conn.query(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r','p') AND NOT c.relispartition "
        "AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_%' "
        "AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR "
        "  (i.indisreplident AND c.relreplident = 'i'))) "
        "ORDER BY 1, 2");
    for (int i = 0; i < PQntuples(r.get()); ++i)
      tables.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1)});
    return tables;
  }
  for (const std::string& name : configured) {
    // to_regclass resolves unqualified names through search_path, as psql would.
    PgResult r = conn.query(
        "SELECT n.nspname, c.relname, c.relispartition, (SELECT rn.nspname || '.' || rc.relname "
        "  FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
        "  WHERE rc.oid = pg_partition_root(c.oid)) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = to_regclass($1)",
        {name});
    if (PQntuples(r.get()) == 0)
      throw ConfigError(fmt::format("source table {} does not exist", name));
    TableRef table{PQgetvalue(r.get(), 0, 0), PQgetvalue(r.get(), 0, 1)};
    // The publication sends a partition's changes under its root, so a partition cannot
    // be a table of its own.
    if (PQgetvalue(r.get(), 0, 2)[0] == 't')
      throw ConfigError(fmt::format(
          "source table {0} is a partition of {1}: list {1} in source.tables instead (sluice "
          "captures a partitioned table as one table)",
          table.qualified(), PQgetvalue(r.get(), 0, 3)));
    tables.push_back(std::move(table));
  }
  return tables;
}

TableSchemaPtr read_table_schema(PgConnection& conn, const TableRef& table) {
  PgResult r = conn.query(
      "SELECT a.attname, a.atttypid, a.atttypmod, "
      "  COALESCE((SELECT true FROM pg_index i WHERE i.indrelid = a.attrelid AND "
      "    (i.indisprimary OR (i.indisreplident AND NOT EXISTS (SELECT 1 FROM pg_index p "
      "      WHERE p.indrelid = a.attrelid AND p.indisprimary))) "
      "    AND a.attnum = ANY(i.indkey) LIMIT 1), false), "
      // As pgoutput flags them: the replica identity index's columns under USING INDEX.
      "  EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
      "    WHERE i.indrelid = a.attrelid AND i.indisreplident AND c.relreplident = 'i' "
      "    AND a.attnum = ANY(i.indkey)) "
      "FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 "
      "AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
      {conn.quote_identifier(table.schema) + "." + conn.quote_identifier(table.name)});
  auto schema = std::make_shared<TableSchema>();
  schema->schema = table.schema;
  schema->name = table.name;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Column column;
    column.name = PQgetvalue(r.get(), i, 0);
    ColumnType type = column_type(static_cast<uint32_t>(std::stoul(PQgetvalue(r.get(), i, 1))),
                                  std::stoi(PQgetvalue(r.get(), i, 2)));
    column.type = type.logical;
    column.warehouse_type = std::move(type.warehouse_type);
    column.is_key = PQgetvalue(r.get(), i, 3)[0] == 't';
    column.is_identity = PQgetvalue(r.get(), i, 4)[0] == 't';
    schema->columns.push_back(std::move(column));
  }
  if (!schema->has_key())
    throw ConfigError(fmt::format(
        "source table {} has no primary key or replica identity index: add a primary key",
        table.qualified()));
  return schema;
}

uint64_t estimated_rows(PgConnection& conn, const TableRef& table) {
  std::optional<std::string> reltuples =
      conn.scalar("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass($1)",
                  {conn.quote_identifier(table.schema) + "." + conn.quote_identifier(table.name)});
  return reltuples ? std::stoull(*reltuples) : 0;
}

std::vector<std::string> table_problems(PgConnection& conn, const std::vector<TableRef>& tables) {
  std::vector<std::string> problems;
  for (const TableRef& t : tables) {
    try {
      read_table_schema(conn, t);
    } catch (const ConfigError& e) {
      problems.emplace_back(e.what());
    }
  }
  return problems;
}

void ensure_publication(PgConnection& conn, const std::string& publication,
                        const std::vector<TableRef>& tables) {
  std::string list;
  for (const TableRef& t : tables) {
    if (!list.empty()) list += ", ";
    list += qualified(conn, t.schema, t.name);
  }
  bool exists =
      conn.scalar("SELECT 1 FROM pg_publication WHERE pubname = $1", {publication}).has_value();
  std::string name = conn.quote_identifier(publication);
  // publish_via_partition_root: a partitioned table's changes arrive under its own name
  // and relation, not under the partition that holds the row.
  if (!exists) {
    conn.exec(fmt::format(
        "CREATE PUBLICATION {} FOR TABLE {} WITH (publish_via_partition_root = true)", name, list));
    return;
  }
  conn.exec(fmt::format("ALTER PUBLICATION {} SET TABLE {}", name, list));
  // A publication made by an older sluice lacks the option.
  conn.exec(fmt::format("ALTER PUBLICATION {} SET (publish_via_partition_root = true)", name));
}

}  // namespace sluice::pg
