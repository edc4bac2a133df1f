#include "source/postgres/pg_admin.hpp"

#include <fmt/format.h>

#include <memory>

#include "config/table_names.hpp"
#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"
#include "source/postgres/pg_catalog.hpp"

namespace sluice::pg {

std::vector<std::string> check_source(const PipelineConfig& config) {
  std::vector<std::string> problems;
  std::unique_ptr<PgConnection> conn;
  try {
    conn = std::make_unique<PgConnection>(config.source.url, PgConnection::Mode::kNormal, "source");
  } catch (const std::exception& e) {
    return {e.what()};
  }
  std::string wal_level = conn->scalar("SHOW wal_level").value_or("");
  if (wal_level != "logical")
    problems.push_back(fmt::format(
        "source: wal_level is '{}', logical decoding needs 'logical' (set wal_level = logical in "
        "postgresql.conf and restart the server)",
        wal_level));
  bool can_replicate =
      conn->scalar("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")
          .value_or("f") == "t";
  if (!can_replicate)
    problems.emplace_back(
        "source: the connecting role lacks the REPLICATION attribute (ALTER ROLE ... REPLICATION)");
  int free_slots = std::stoi(conn->scalar("SELECT current_setting('max_replication_slots')::int - "
                                          "(SELECT count(*) FROM pg_replication_slots)")
                                 .value_or("0"));
  bool has_slot = conn->scalar("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
                               {slot_name(config.name)})
                      .has_value();
  if (free_slots <= 0 && !has_slot)
    problems.emplace_back("source: no free replication slot (raise max_replication_slots)");
  try {
    std::vector<TableRef> tables = resolve_tables(*conn, config.source.tables);
    if (tables.empty()) problems.emplace_back("source: no tables with a primary key to capture");
    for (std::string& p : table_problems(*conn, tables)) problems.push_back(std::move(p));
    std::vector<TableSchemaPtr> named;
    for (const TableRef& t : tables)
      named.push_back(std::make_shared<TableSchema>(TableSchema{t.schema, t.name, {}}));
    WarehouseNames(config).check_distinct(named);
  } catch (const ConfigError& e) {
    problems.emplace_back(e.what());
  }
  return problems;
}

std::vector<std::string> source_status(const PipelineConfig& config) {
  PgConnection conn(config.source.url, PgConnection::Mode::kNormal, "source");
  PgResult r = conn.query(
      "SELECT confirmed_flush_lsn::text, pg_current_wal_lsn()::text, "
      "pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, "
      "pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), active, wal_status "
      "FROM pg_replication_slots WHERE slot_name = $1",
      {slot_name(config.name)});
  if (PQntuples(r.get()) == 0)
    return {fmt::format("source slot {}: does not exist (the next run takes a snapshot)",
                        slot_name(config.name))};
  return {
      fmt::format("source slot {}: confirmed {}, server at {}, lag {} bytes, WAL retained {}, "
                  "{}, wal_status {}",
                  slot_name(config.name), PQgetvalue(r.get(), 0, 0), PQgetvalue(r.get(), 0, 1),
                  PQgetvalue(r.get(), 0, 2), PQgetvalue(r.get(), 0, 3),
                  PQgetvalue(r.get(), 0, 4)[0] == 't' ? "a pipeline is attached" : "idle",
                  PQgetvalue(r.get(), 0, 5))};
}

void reset_source(const PipelineConfig& config) {
  PgConnection conn(config.source.url, PgConnection::Mode::kNormal, "source");
  std::string slot = slot_name(config.name);
  std::optional<std::string> active =
      conn.scalar("SELECT active::text FROM pg_replication_slots WHERE slot_name = $1", {slot});
  if (active == "true")
    throw FatalError(
        fmt::format("source: slot {} is in use by a running pipeline; stop it first", slot));
  if (active) conn.query("SELECT pg_drop_replication_slot($1)", {slot});
  conn.exec(fmt::format("DROP PUBLICATION IF EXISTS {}",
                        conn.quote_identifier(publication_name(config.name))));
}

}  // namespace sluice::pg
