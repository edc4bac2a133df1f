#include "sink/postgres/sink_admin.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice::warehouse {

std::vector<std::string> check_sink(const PipelineConfig& config) {
  std::unique_ptr<PgConnection> conn;
  try {
    conn = std::make_unique<PgConnection>(config.sink.url, PgConnection::Mode::kNormal, "sink");
  } catch (const std::exception& e) {
    return {e.what()};
  }
  std::vector<std::string> problems;
  bool schema_exists =
      conn->scalar("SELECT 1 FROM pg_namespace WHERE nspname = $1", {config.sink.schema})
          .has_value();
  std::string can_create =
      schema_exists
          ? conn->scalar("SELECT has_schema_privilege($1, 'CREATE')::text", {config.sink.schema})
                .value_or("false")
          : conn->scalar("SELECT has_database_privilege(current_database(), 'CREATE')::text")
                .value_or("false");
  if (can_create != "true")
    problems.push_back(fmt::format("sink: the role may not create tables in schema {}{}",
                                   config.sink.schema, schema_exists ? "" : " (nor the schema)"));
  return problems;
}

std::vector<std::string> sink_status(const PipelineConfig& config) {
  PgConnection conn(config.sink.url, PgConnection::Mode::kNormal, "sink");
  std::vector<std::string> lines;
  std::string table = qualified(conn, config.sink.schema, "sluice_checkpoint");
  bool has_table = conn.scalar("SELECT to_regclass($1)::text", {table}).has_value();
  if (!has_table) return {"sink: no checkpoint yet (the pipeline has not run)"};
  PgResult r = conn.query(
      fmt::format("SELECT position, snapshot_complete, updated_at::text, "
                  "COALESCE(extract(epoch FROM updated_at - source_committed_at)::text, '-') "
                  "FROM {} WHERE pipeline = $1",
                  table),
      {config.name});
  if (PQntuples(r.get()) == 0) return {"sink: no checkpoint yet (snapshot not finished)"};
  lines.push_back(fmt::format(
      "sink: applied up to {} (snapshot {}), last commit {}, "
      "commit-to-apply lag of that batch {} s",
      PQgetvalue(r.get(), 0, 0), PQgetvalue(r.get(), 0, 1)[0] == 't' ? "complete" : "incomplete",
      PQgetvalue(r.get(), 0, 2), PQgetvalue(r.get(), 0, 3)));
  PgResult tables = conn.query(
      "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> "
      "'sluice_checkpoint' ORDER BY 1",
      {config.sink.schema});
  for (int i = 0; i < PQntuples(tables.get()); ++i)
    lines.push_back(fmt::format("  {}: ~{} rows", PQgetvalue(tables.get(), i, 0),
                                std::max<int64_t>(0, std::stoll(PQgetvalue(tables.get(), i, 1)))));
  return lines;
}

}  // namespace sluice::warehouse
