// The schema tracking of MySqlSource: the DDL statements it follows, the TABLE_MAP
// events that say which columns the next rows have, and the schema changes carry.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.hpp"
#include "source/mysql/mysql_source.hpp"

namespace sluice::mysql {
namespace {

bool same_columns(const TableSchema& a, const TableSchema& b) {
  if (a.columns.size() != b.columns.size()) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const Column& x = a.columns[i];
    const Column& y = b.columns[i];
    if (x.name != y.name || x.warehouse_type != y.warehouse_type || x.is_key != y.is_key ||
        x.type != y.type)
      return false;
  }
  return true;
}

// The warehouse mirror can grow columns but not retype them or change its key.
void require_followable(const TableSchema& before, const TableSchema& after,
                        std::string_view statement) {
  std::string cause = statement.empty() ? std::string("a schema change")
                                        : fmt::format("`{}`", statement.substr(0, 300));
  for (const Column& old_column : before.columns) {
    int i = after.column_index(old_column.name);
    if (i < 0) continue;
    const Column& new_column = after.columns[static_cast<size_t>(i)];
    if (new_column.warehouse_type != old_column.warehouse_type)
      throw FatalError(fmt::format(
          "source: {} changes column {}.{} from {} to {} (warehouse types); sluice follows ADD "
          "and DROP COLUMN only: change the warehouse column by hand, then restart, or run "
          "`sluice reset` for a new snapshot",
          cause, before.qualified_name(), old_column.name, old_column.warehouse_type,
          new_column.warehouse_type));
    if (new_column.is_key != old_column.is_key)
      throw FatalError(fmt::format(
          "source: {} changes the primary key of {}; sluice cannot follow a key change: run "
          "`sluice reset` for a new snapshot",
          cause, before.qualified_name()));
  }
}

}  // namespace

void MySqlSource::on_ddl(const std::string& statement, const std::string& database,
                         ChangeBatch& batch) {
  std::optional<DdlStatement> ddl = parse_ddl(statement, database);
  if (!ddl) return;
  if (ddl->kind == DdlKind::kRename) return on_rename(*ddl, statement);
  for (const std::string& name : ddl->tables) {
    auto it = tables_.find(name);
    if (it == tables_.end()) continue;
    CapturedTable& table = it->second;
    switch (ddl->kind) {
      case DdlKind::kTruncate: {
        if (in_copy(table)) break;
        Change& change = batch.changes.emplace_back();
        change.op = Op::kTruncate;
        change.table = table.schema;
        change.commit_time_us = transaction_time_us_;
        break;
      }
      case DdlKind::kDrop:
        throw FatalError(fmt::format(
            "source: `{}` drops captured table {}; sluice cannot follow that: remove it from "
            "source.tables (or restore it) and run `sluice reset` for a new snapshot",
            statement.substr(0, 300), name));
      case DdlKind::kRename:  // on_rename
        break;
      case DdlKind::kAlter:
        reread_definition(table, statement);
        spdlog::info("source: {} changed by `{}`: {} columns", name, statement.substr(0, 200),
                     table.schema->columns.size());
        break;
    }
  }
}

// Online schema change tools (gh-ost, pt-online-schema-change) fill a shadow table and
// swap it in with RENAME TABLE a TO _a_old, _a_shadow TO a. The shadow's rows are the
// original's, which the warehouse has from the original's changes; from the swap on,
// changes to `a` are the shadow's, with its columns.
void MySqlSource::on_rename(const DdlStatement& rename, const std::string& statement) {
  for (const auto& [name, origin] : tables_after_rename(rename)) {
    auto it = tables_.find(name);
    if (it == tables_.end() || origin == name || in_copy(it->second)) continue;
    if (origin.empty() || tables_.contains(origin))
      throw FatalError(fmt::format(
          "source: `{}` renames captured table {}{}; sluice cannot follow that: remove it from "
          "source.tables (or restore it) and run `sluice reset` for a new snapshot",
          statement.substr(0, 300), name,
          origin.empty() ? "" : fmt::format(" and puts captured table {} in its place", origin)));
    reread_definition(it->second, statement);
    spdlog::info("source: {} swapped for {} by `{}`: {} columns", name, origin,
                 statement.substr(0, 200), it->second.schema->columns.size());
  }
}

void MySqlSource::reread_definition(CapturedTable& table, const std::string& statement) {
  MySqlConnection catalog(url_, "source");
  TableDefinition definition = read_table_definition(catalog, table.definition.ref);
  if (definition.primary_key.empty())
    throw FatalError(fmt::format("source: `{}` leaves captured table {} without a primary key",
                                 statement.substr(0, 300), table.definition.ref.qualified()));
  TableSchemaPtr schema = schema_of(definition);
  table.last_ddl = statement;
  table.definition = std::move(definition);
  publish(table, schema);
}

void MySqlSource::publish(CapturedTable& table, TableSchemaPtr schema) {
  if (same_columns(*table.schema, *schema)) return;
  require_followable(*table.schema, *schema, table.last_ddl);
  table.schema = std::move(schema);
}

void MySqlSource::on_table_map(const BinlogEvent& event) {
  TableMap map = parse_table_map(event.body, flavor_);
  MappedTable& mapped = table_ids_[map.table_id];
  if (mapped.decoder && std::ranges::equal(mapped.map_body, event.body)) return;
  auto it = tables_.find(map.database + "." + map.table);
  mapped = MappedTable{};
  if (it == tables_.end()) return;
  mapped.table = &it->second;
  mapped.map_body.assign(event.body.begin(), event.body.end());
  std::vector<ColumnInfo> columns;
  mapped.schema = schema_for_map(it->second, map, columns);
  mapped.decoder = std::make_unique<RowsDecoder>(std::move(map), std::move(columns));
}

TableSchemaPtr MySqlSource::schema_for_map(CapturedTable& table, const TableMap& map,
                                           std::vector<ColumnInfo>& columns) {
  const TableDefinition& def = table.definition;
  bool named = std::ranges::all_of(map.columns, [](const auto& c) { return !c.name.empty(); });
  if (named) {
    // binlog_row_metadata=FULL: the event says which columns it has, whatever DDL came
    // after it; information_schema fills in declared types by name.
    for (const TableMapColumn& column : map.columns) {
      auto info = std::ranges::find(def.columns, column.name, &ColumnInfo::name);
      columns.push_back(info != def.columns.end() ? *info : ColumnInfo{.name = column.name});
    }
  } else if (map.columns.size() == def.columns.size()) {
    columns = def.columns;
  } else {
    throw FatalError(fmt::format(
        "source: {} has {} columns in the binlog and {} in information_schema, and the server "
        "logs no column names to match them (set binlog_row_metadata=FULL)",
        def.ref.qualified(), map.columns.size(), def.columns.size()));
  }
  use_binlog_charsets(map, collation_charsets_, columns);
  auto schema = std::make_shared<TableSchema>();
  schema->schema = def.ref.database;
  schema->name = def.ref.name;
  for (size_t i = 0; i < map.columns.size(); ++i) {
    Column column;
    column.name = columns[i].name;
    WarehouseTypes types = warehouse_types(map.columns[i], &columns[i]);
    column.type = types.logical;
    column.warehouse_type = types.postgres;
    column.is_key = std::ranges::find(def.primary_key, column.name) != def.primary_key.end();
    schema->columns.push_back(std::move(column));
  }
  publish(table, schema);
  return table.schema;
}

}  // namespace sluice::mysql
