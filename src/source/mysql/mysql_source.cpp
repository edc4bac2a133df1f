#include "source/mysql/mysql_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "source/mysql/binlog_ddl.hpp"
#include "source/mysql/mysql_snapshot.hpp"

namespace sluice::mysql {
namespace {

// How long the server may stay silent before it sends a heartbeat: the granularity at
// which an idle source notices its batch deadline.
constexpr auto kHeartbeat = std::chrono::milliseconds(100);
constexpr uint16_t kArtificialEventFlag = 0x20;  // LOG_EVENT_ARTIFICIAL_F
constexpr uint8_t kStandaloneGtidFlag = 0x01;    // FL_STANDALONE: no XID/COMMIT follows

uint64_t file_number(const std::string& file) {
  size_t dot = file.rfind('.');
  std::string_view digits = dot == std::string::npos ? "" : std::string_view(file).substr(dot + 1);
  uint64_t n = 0;
  for (char c : digits)
    if (c >= '0' && c <= '9') n = n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

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

std::string gtid_text(const std::map<uint32_t, std::string>& by_domain) {
  std::string out;
  for (const auto& [domain, gtid] : by_domain) {
    if (!out.empty()) out += ",";
    out += gtid;
  }
  return out;
}

std::string_view view(const MARIADB_STRING& s) {
  return s.str == nullptr ? std::string_view() : std::string_view(s.str, s.length);
}

}  // namespace

bool at_or_past(const BinlogPosition& a, const BinlogPosition& b) {
  if (a.file == b.file) return a.offset >= b.offset;
  return file_number(a.file) > file_number(b.file);
}

uint32_t replica_server_id(const PipelineConfig& config) {
  if (config.source.server_id != 0) return config.source.server_id;
  // FNV-1a of the name, in a range servers rarely use, so two pipelines differ.
  uint32_t hash = 2166136261u;
  for (char c : config.name) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  return 0x40000000u | (hash & 0x3fffffffu);
}

MySqlSource::MySqlSource(const PipelineConfig& config, bool until_caught_up)
    : config_(config), until_caught_up_(until_caught_up) {}

Position MySqlSource::start(const std::optional<Position>& resume, SnapshotConsumer& consumer) {
  url_ = parse_mysql_url(config_.source.url);
  {
    MySqlConnection catalog(url_, "source");
    std::vector<MySqlTableRef> refs = resolve_tables(catalog, config_.source.tables);
    if (refs.empty())
      throw ConfigError("source: no tables to capture (none configured, none with a primary key)");
    collation_charsets_ = read_collation_charsets(catalog);
    tables_.clear();
    for (const MySqlTableRef& ref : refs) {
      CapturedTable table;
      table.definition = read_table_definition(catalog, ref);
      table.schema = schema_of(table.definition);
      table.estimated_rows = estimated_rows(catalog, ref);
      tables_.emplace(ref.qualified(), std::move(table));
    }
    caught_up_target_ = read_master_status(catalog);
  }
  BinlogPosition from = resume ? prepare_resume(*resume) : take_snapshot(consumer);
  if (at_or_past(from, caught_up_target_)) caught_up_target_ = from;
  open_stream(from);
  return from;
}

BinlogPosition MySqlSource::prepare_resume(const Position& resume) {
  if (!std::holds_alternative<BinlogPosition>(resume))
    throw ConfigError(fmt::format(
        "{}: the warehouse checkpoint of pipeline {} is {}, not a binlog position; use another "
        "pipeline name or run `sluice reset -c {}`",
        config_.file, config_.name, to_string(resume), config_.file));
  BinlogPosition from = std::get<BinlogPosition>(resume);
  MySqlConnection conn(url_, "source");
  bool present = false;
  for (const auto& row : conn.query("SHOW BINARY LOGS")) present |= row[0] == from.file;
  if (!present)
    throw ConfigError(fmt::format(
        "source: binlog {} at the checkpoint is no longer on the server (purged or expired), so "
        "changes since then are lost to sluice; run `sluice reset -c {}` and start again (a new "
        "snapshot)",
        from.file, config_.file));
  set_gtids(from.gtid_set);
  spdlog::info("source: resuming binlog at {}", to_string(from));
  return from;
}

BinlogPosition MySqlSource::take_snapshot(SnapshotConsumer& consumer) {
  size_t connections = std::clamp<size_t>(static_cast<size_t>(config_.source.snapshot_parallelism),
                                          1, tables_.size());
  bool mariadb = MySqlConnection(url_, "source").is_mariadb();
  spdlog::info("source: copying {} tables on {} connections", tables_.size(), connections);
  expect_rows(consumer);
  BinlogPosition start = mariadb ? take_per_table_snapshots(consumer, connections)
                                 : take_locked_snapshot(consumer, connections);
  set_gtids(start.gtid_set);
  return start;
}

// MySQL: one snapshot shared by every connection, under a brief global read lock.
BinlogPosition MySqlSource::take_locked_snapshot(SnapshotConsumer& consumer, size_t connections) {
  ConsistentSnapshot snapshot = open_consistent_snapshot(url_, connections);
  for_each_table_in_parallel(connections, [&](size_t worker, CapturedTable& table) {
    copy_table(*snapshot.connections[worker], table.definition, table.schema, consumer);
  });
  return snapshot.position;
}

// MariaDB: each table in its own consistent snapshot, which names its binlog position
// without any lock; streaming starts at the earliest, and skips for each table the
// transactions its copy already holds (docs/design-notes.md).
BinlogPosition MySqlSource::take_per_table_snapshots(SnapshotConsumer& consumer,
                                                     size_t connections) {
  std::vector<std::unique_ptr<MySqlConnection>> conns;
  for (size_t i = 0; i < connections; ++i) conns.push_back(open_copy_connection(url_));
  std::mutex positions_mutex;
  for_each_table_in_parallel(connections, [&](size_t worker, CapturedTable& table) {
    MySqlConnection& conn = *conns[worker];
    BinlogPosition at = start_snapshot_transaction(conn);
    copy_table(conn, table.definition, table.schema, consumer);
    conn.exec("COMMIT");
    std::lock_guard lock(positions_mutex);
    table.copied_up_to = at;
  });
  BinlogPosition start = *tables_.begin()->second.copied_up_to;
  for (const auto& [name, table] : tables_)
    if (!at_or_past(*table.copied_up_to, start)) start = *table.copied_up_to;
  for (auto& [name, table] : tables_) {
    spdlog::info("snapshot: {} consistent at {}", name, to_string(*table.copied_up_to));
    if (!at_or_past(start, *table.copied_up_to)) continue;
    table.copied_up_to.reset();  // nothing to skip: the stream starts there
  }
  return start;
}

void MySqlSource::for_each_table_in_parallel(
    size_t connections, const std::function<void(size_t worker, CapturedTable&)>& copy) {
  std::vector<CapturedTable*> work;
  for (auto& [name, table] : tables_) work.push_back(&table);
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&](size_t id) {
    while (true) {
      size_t i = next.fetch_add(1);
      if (i >= work.size()) return;
      try {
        copy(id, *work[i]);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = work.size();
      }
    }
  };
  {
    std::vector<std::jthread> workers;
    for (size_t i = 0; i < connections; ++i) workers.emplace_back(worker, i);
  }
  if (failure) std::rethrow_exception(failure);
}

void MySqlSource::set_gtids(const std::string& gtid_set) {
  gtid_by_domain_.clear();
  std::string_view gtids = gtid_set;
  while (!gtids.empty()) {
    std::string_view one = gtids.substr(0, gtids.find(','));
    gtids.remove_prefix(std::min(gtids.size(), one.size() + 1));
    gtid_by_domain_[static_cast<uint32_t>(std::stoul(std::string(one)))] = std::string(one);
  }
}

bool MySqlSource::in_copy(const CapturedTable& table) const {
  return table.copied_up_to && !at_or_past(transaction_start_, *table.copied_up_to);
}

void MySqlSource::expect_rows(SnapshotConsumer& consumer) const {
  for (const auto& [name, table] : tables_)
    consumer.expect_rows(table.schema, table.estimated_rows);
}

void MySqlSource::copy_current_rows(SnapshotConsumer& consumer) {
  expect_rows(consumer);
  for (auto& [name, table] : tables_) {
    std::unique_ptr<MySqlConnection> conn = open_copy_connection(url_);
    copy_table(*conn, table.definition, table.schema, consumer);
  }
}

std::vector<TableSchemaPtr> MySqlSource::tables() const {
  std::vector<TableSchemaPtr> out;
  for (const auto& [name, table] : tables_) out.push_back(table.schema);
  return out;
}

void MySqlSource::open_stream(const BinlogPosition& from) {
  stream_ = std::make_unique<BinlogStream>(url_, replica_server_id(config_), from, kHeartbeat);
  flavor_ = stream_->is_mariadb() ? BinlogFlavor::kMariaDb : BinlogFlavor::kMySql;
  read_position_ = commit_position_ = from;
  in_transaction_ = false;
  table_ids_.clear();
}

bool MySqlSource::caught_up() const {
  return !in_transaction_ && at_or_past(read_position_, caught_up_target_);
}

ReadStatus MySqlSource::read(ChangeBatch& batch, const ReadLimits& limits) {
  while (true) {
    if (until_caught_up_ && caught_up() && batch.changes.empty() && !batch.commit_position)
      return ReadStatus::kCaughtUp;
    const BinlogEvent& event = stream_->next();
    if (event.type == kHeartbeatEvent) {
      if (in_transaction_) continue;
      if (!batch.changes.empty() || batch.commit_position) return ReadStatus::kData;
      if (until_caught_up_ && caught_up()) return ReadStatus::kCaughtUp;
      if (std::chrono::steady_clock::now() >= limits.deadline) return ReadStatus::kIdle;
      continue;
    }
    if (on_event(event, batch, limits)) return ReadStatus::kData;
  }
}

bool MySqlSource::on_event(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits) {
  if (event.type == kRotateEvent) {
    // Read from the body, which excludes the checksum: the connector's parsed file name
    // includes the checksum bytes when checksums are on.
    detail::ByteReader in(event.body);
    read_position_.offset = in.le(8);
    read_position_.file = std::string(in.chars(in.remaining()));
    return false;
  }
  if (event.type == kMariaDbGtidEvent || event.type == kMySqlGtidEvent ||
      event.type == kQueryEvent) {
    transaction_start_.file = read_position_.file;
    transaction_start_.offset = event.end_offset - std::min(event.end_offset, event.length);
  }
  // Positions only grow within a file; the format description re-sent at the start of a
  // dump carries its original, earlier offset.
  if (event.end_offset != 0 && (event.flags & kArtificialEventFlag) == 0)
    read_position_.offset = std::max<uint64_t>(read_position_.offset, event.end_offset);
  switch (event.type) {
    case kMariaDbGtidEvent:
    case kMySqlGtidEvent:
      on_gtid(event);
      batch.commit_position.reset();
      return false;
    case kTableMapEvent:
      on_table_map(event);
      return false;
    case kXidEvent:
      return on_commit(event, batch, limits);
    case kQueryEvent:
      return on_query(event, batch, limits);
    default:
      if (is_rows_event(event.type)) return on_rows(event, batch, limits);
      return false;
  }
}

void MySqlSource::on_gtid(const BinlogEvent& event) {
  transaction_time_us_ = int64_t{event.timestamp} * 1000000;
  // MySQL's transactions open with a BEGIN query after the GTID event.
  if (event.type != kMariaDbGtidEvent) return;
  const auto& gtid = event.parsed->event.gtid;
  in_transaction_ = true;
  standalone_ = (gtid.flags & kStandaloneGtidFlag) != 0;
  gtid_by_domain_[gtid.domain_id] =
      fmt::format("{}-{}-{}", gtid.domain_id, event.server_id, gtid.sequence_nr);
  transaction_xid_ = gtid.sequence_nr;
}

bool MySqlSource::on_commit(const BinlogEvent& event, ChangeBatch& batch,
                            const ReadLimits& limits) {
  in_transaction_ = false;
  commit_position_ = read_position_;
  commit_position_.gtid_set = gtid_text(gtid_by_domain_);
  batch.commit_position = commit_position_;
  batch.last_commit_time_us = int64_t{event.timestamp} * 1000000;
  return batch.changes.size() >= limits.max_rows ||
         std::chrono::steady_clock::now() >= limits.deadline || (until_caught_up_ && caught_up());
}

bool MySqlSource::on_query(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits) {
  const auto& query = event.parsed->event.query;
  std::string statement(view(query.statement));
  if (is_transaction_control(statement)) {
    if (statement.starts_with("BEGIN")) {
      in_transaction_ = true;
      standalone_ = false;
      transaction_time_us_ = int64_t{event.timestamp} * 1000000;
      batch.commit_position.reset();
      return false;
    }
    if (statement.starts_with("COMMIT") || statement.starts_with("ROLLBACK"))
      return on_commit(event, batch, limits);
    return false;
  }
  if (in_transaction_ && !standalone_) {
    // A statement-logged change inside a transaction (a session with binlog_format
    // STATEMENT or MIXED): its rows are not in the binlog.
    if (!warned_statement_format_)
      spdlog::warn(
          "source: skipping a statement-based event, whose rows sluice cannot see "
          "(set binlog_format=ROW for every session): `{}`",
          statement.substr(0, 200));
    warned_statement_format_ = true;
    return false;
  }
  on_ddl(statement, std::string(view(query.database)), batch);
  // DDL is a group of its own (a standalone GTID): the statement is its boundary.
  return on_commit(event, batch, limits);
}

void MySqlSource::on_ddl(const std::string& statement, const std::string& database,
                         ChangeBatch& batch) {
  std::optional<DdlStatement> ddl = parse_ddl(statement, database);
  if (!ddl) return;
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
      case DdlKind::kRename:
        throw FatalError(fmt::format(
            "source: `{}` {} captured table {}; sluice cannot follow that: remove it from "
            "source.tables (or restore it) and run `sluice reset` for a new snapshot",
            statement.substr(0, 300), ddl->kind == DdlKind::kDrop ? "drops" : "renames", name));
      case DdlKind::kAlter: {
        MySqlConnection catalog(url_, "source");
        TableDefinition definition = read_table_definition(catalog, table.definition.ref);
        if (definition.primary_key.empty())
          throw FatalError(
              fmt::format("source: `{}` leaves captured table {} without a primary key",
                          statement.substr(0, 300), name));
        TableSchemaPtr schema = schema_of(definition);
        table.last_ddl = statement;
        table.definition = std::move(definition);
        publish(table, schema);
        spdlog::info("source: {} changed by `{}`: {} columns", name, statement.substr(0, 200),
                     table.schema->columns.size());
        break;
      }
    }
  }
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

bool MySqlSource::on_rows(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits) {
  RowsEventHeader header = parse_rows_event_header(event.type, event.body);
  auto it = table_ids_.find(header.table_id);
  if (it == table_ids_.end() || it->second.table == nullptr || in_copy(*it->second.table))
    return false;
  MappedTable& mapped = it->second;
  RowsDecoder& decoder = *mapped.decoder;
  decoder.begin(event.type, event.body);
  uint64_t offset = event.end_offset >= event.length ? event.end_offset - event.length : 0;
  while (decoder.next_row()) {
    Change& change = batch.changes.emplace_back();
    switch (decoder.kind()) {
      case RowsEventKind::kWrite:
        change.op = Op::kInsert;
        change.after = decoder.after();
        break;
      case RowsEventKind::kUpdate:
        change.op = Op::kUpdate;
        change.before = decoder.before();
        change.after = decoder.after();
        break;
      case RowsEventKind::kDelete:
        change.op = Op::kDelete;
        change.before = decoder.before();
        break;
    }
    change.table = mapped.schema;
    change.commit_time_us = transaction_time_us_;
    change.xid = transaction_xid_;
    change.source_offset = offset;
  }
  return batch.changes.size() >= limits.max_rows;
}

}  // namespace sluice::mysql
