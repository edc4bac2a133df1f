#include "source/mysql/mysql_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "config/table_names.hpp"
#include "core/error.hpp"
#include "source/mysql/binlog_query_event.hpp"
#include "source/mysql/mysql_admin.hpp"
#include "source/mysql/mysql_snapshot.hpp"

namespace sluice::mysql {
namespace {

// How long the server may stay silent before it sends a heartbeat: the granularity at
// which an idle source notices its batch deadline.
constexpr auto kHeartbeat = std::chrono::milliseconds(100);
constexpr uint16_t kArtificialEventFlag = 0x20;  // LOG_EVENT_ARTIFICIAL_F
constexpr uint8_t kStandaloneGtidFlag = 0x01;    // FL_STANDALONE: no XID/COMMIT follows
// FL_PREPARED_XA: the group is an XA transaction's XA START .. XA END, ended by an
// XA_PREPARE event; its XA COMMIT or XA ROLLBACK comes later, as a group of its own.
constexpr uint8_t kPreparedXaGtidFlag = 0x40;

uint64_t file_number(const std::string& file) {
  size_t dot = file.rfind('.');
  std::string_view digits = dot == std::string::npos ? "" : std::string_view(file).substr(dot + 1);
  uint64_t n = 0;
  for (char c : digits)
    if (c >= '0' && c <= '9') n = n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// `text` after its first word when that is `word` (upper case; matched case-insensitively),
// trimmed; nullopt when it starts otherwise.
std::optional<std::string_view> after_word(std::string_view text, std::string_view word) {
  text = trimmed(text);
  if (text.size() < word.size()) return std::nullopt;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return std::nullopt;
  std::string_view rest = text.substr(word.size());
  if (!rest.empty() && !is_blank(rest.front())) return std::nullopt;
  return trimmed(rest);
}

// Savepoint names and XIDs compare case-insensitively (hex digits too) and without blanks.
std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text)
    if (!is_blank(c)) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// An XID as the server prints it in XA statements: X'gtrid',X'bqual',formatID in hex.
// XA_PREPARE's body: u8 one_phase, u32 formatID, u32 gtrid length, u32 bqual length, then
// gtrid and bqual.
std::string xid_text(detail::ByteReader& in) {
  uint32_t format_id = in.u32();
  uint32_t gtrid_length = in.u32();
  uint32_t bqual_length = in.u32();
  auto hex = [](std::span<const uint8_t> bytes) {
    std::string out;
    for (uint8_t b : bytes) out += fmt::format("{:02X}", b);
    return out;
  };
  std::string gtrid = hex(in.bytes(gtrid_length));
  std::string bqual = hex(in.bytes(bqual_length));
  return fmt::format("X'{}',X'{}',{}", gtrid, bqual, format_id);
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
    flavor_ = catalog.is_mariadb() ? BinlogFlavor::kMariaDb : BinlogFlavor::kMySql;
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
    WarehouseNames(config_).check_distinct(tables());
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
  set_gtids(from.gtid_set);
  if (flavor_ == BinlogFlavor::kMariaDb && !gtids_.empty()) return prepare_gtid_resume(conn, from);
  // MySQL resumes by file and offset: Connector/C sends COM_BINLOG_DUMP only, not the
  // COM_BINLOG_DUMP_GTID a MySQL replica resumes by GTID with.
  bool present = false;
  for (const auto& row : conn.query("SHOW BINARY LOGS")) present |= row[0] == from.file;
  if (!present)
    throw ConfigError(fmt::format(
        "source: binlog {} at the checkpoint is no longer on the server (purged or expired), so "
        "changes since then are lost to sluice; run `sluice reset -c {}` and start again (a new "
        "snapshot)",
        from.file, config_.file));
  spdlog::info("source: resuming binlog at {}", to_string(from));
  return from;
}

BinlogPosition MySqlSource::prepare_gtid_resume(MySqlConnection& conn,
                                                const BinlogPosition& checkpoint) {
  std::string server_gtids = conn.scalar("SELECT @@GLOBAL.gtid_binlog_pos").value_or("");
  if (!GtidSet(flavor_, server_gtids).contains(gtids_))
    throw ConfigError(fmt::format(
        "source: the server's binlog lacks transactions of the checkpoint (gtid_binlog_pos {}, "
        "checkpoint {}): point source.url at the server sluice read from or at a replica of it "
        "that has caught up (with log_slave_updates=ON), or run `sluice reset -c {}` for a new "
        "snapshot",
        server_gtids, gtids_.to_string(), config_.file));
  resumed_by_gtid_ = true;
  spdlog::info("source: resuming binlog after GTID {} (checkpoint {})", gtids_.to_string(),
               to_string(checkpoint));
  // No file: the server finds the binlog holding these GTIDs and names it in a ROTATE.
  return BinlogPosition{.file = "", .offset = 4, .gtid_set = gtids_.to_string()};
}

void MySqlSource::set_gtids(const std::string& gtid_set) {
  gtids_ = GtidSet(flavor_, gtid_set);
}

bool MySqlSource::in_copy(const CapturedTable& table) const {
  return table.copied_up_to && !at_or_past(transaction_start_, *table.copied_up_to);
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
  xa_rows_.reset();
  prepared_xa_.clear();
  start_group();
  table_ids_.clear();
}

bool MySqlSource::caught_up() const {
  if (in_transaction_) return false;
  if (resumed_by_gtid_) return gtids_.contains(GtidSet(flavor_, caught_up_target_.gtid_set));
  return at_or_past(read_position_, caught_up_target_);
}

ReadStatus MySqlSource::caught_up_status() const {
  if (!prepared_xa_.empty())
    spdlog::warn(
        "source: caught up with {} XA transaction(s) prepared and not yet committed: the "
        "warehouse keeps its checkpoint from before them, and the next run reads on from there",
        prepared_xa_.size());
  return ReadStatus::kCaughtUp;
}

ReadStatus MySqlSource::read(ChangeBatch& batch, const ReadLimits& limits) {
  while (true) {
    if (until_caught_up_ && caught_up() && batch.changes.empty() && !batch.commit_position)
      return caught_up_status();
    const BinlogEvent& event = stream_->next();
    if (event.type == kHeartbeatEvent) {
      if (in_transaction_) continue;
      if (!batch.changes.empty() || batch.commit_position) return ReadStatus::kData;
      if (until_caught_up_ && caught_up()) return caught_up_status();
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
    case kXaPrepareEvent:
      return on_xa_prepare(event, batch, limits);
    default:
      if (is_rows_event(event.type)) return on_rows(event, batch, limits);
      if (std::optional<std::string> problem = unhandled_event_problem(event.type, event.flags))
        throw FatalError(fmt::format("source: binlog {}:{} holds {}", read_position_.file,
                                     event.end_offset - std::min(event.end_offset, event.length),
                                     *problem));
      return false;
  }
}

void MySqlSource::on_gtid(const BinlogEvent& event) {
  transaction_time_us_ = int64_t{event.timestamp} * 1000000;
  start_group();
  xa_rows_.reset();
  // MySQL's transactions open with a BEGIN query after the GTID event.
  if (event.type != kMariaDbGtidEvent) {
    MySqlGtid gtid = parse_mysql_gtid_event(event.body);
    gtids_.mysql().add(gtid.uuid, gtid.gno);
    return;
  }
  const auto& gtid = event.parsed->event.gtid;
  in_transaction_ = true;
  standalone_ = (gtid.flags & kStandaloneGtidFlag) != 0;
  if ((gtid.flags & kPreparedXaGtidFlag) != 0) xa_rows_.emplace();
  gtids_.mariadb().add(gtid.domain_id, event.server_id, gtid.sequence_nr);
  transaction_xid_ = gtid.sequence_nr;
}

bool MySqlSource::on_commit(const BinlogEvent& event, ChangeBatch& batch,
                            const ReadLimits& limits) {
  in_transaction_ = false;
  // A batch went to the sink inside this transaction: its commit ends this batch, so a run
  // of transactions larger than a batch still commits in the warehouse.
  bool passed = group_rows_passed_ > 0;
  start_group();
  // The warehouse transaction stays open while an XA transaction is prepared: a checkpoint
  // here would be past the rows it holds.
  if (!prepared_xa_.empty()) return limits.full(batch);
  commit_position_ = read_position_;
  commit_position_.gtid_set = gtids_.to_string();
  batch.commit_position = commit_position_;
  batch.last_commit_time_us = int64_t{event.timestamp} * 1000000;
  return passed || limits.one_transaction || limits.full(batch) ||
         std::chrono::steady_clock::now() >= limits.deadline || (until_caught_up_ && caught_up());
}

bool MySqlSource::on_query(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits) {
  QueryEvent query = parse_query_event(event.body);
  std::string statement(query.statement);
  if (is_transaction_control(statement))
    return on_transaction_control(event, statement, batch, limits);
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
  on_ddl(statement, std::string(query.database), batch);
  // DDL is a group of its own (a standalone GTID): the statement is its boundary.
  return on_commit(event, batch, limits);
}

void MySqlSource::begin_transaction(const BinlogEvent& event, ChangeBatch& batch) {
  in_transaction_ = true;
  standalone_ = false;
  transaction_time_us_ = int64_t{event.timestamp} * 1000000;
  batch.commit_position.reset();
  start_group();
}

void MySqlSource::start_group() {
  savepoints_.clear();
  group_rows_ = 0;
  group_rows_passed_ = 0;
}

std::vector<Change>& MySqlSource::transaction_rows(ChangeBatch& batch) {
  return xa_rows_ ? *xa_rows_ : batch.changes;
}

void MySqlSource::undo_rows_since(uint64_t mark, std::string_view statement, ChangeBatch& batch,
                                  const ReadLimits& limits) {
  if (mark < group_rows_passed_)
    throw FatalError(fmt::format(
        "source: binlog {}:{}: `{}` undoes rows of a transaction larger than one batch "
        "(batch.max_rows {} rows, batch.max_bytes {} bytes), which sluice has passed to the "
        "warehouse (uncommitted): raise batch.max_rows and batch.max_bytes above the "
        "transaction's size and restart",
        read_position_.file, read_position_.offset, statement.substr(0, 200), limits.max_rows,
        limits.max_bytes));
  std::vector<Change>& rows = transaction_rows(batch);
  auto undone = rows.end() - static_cast<ptrdiff_t>(group_rows_ - mark);
  if (!xa_rows_)
    for (auto it = undone; it != rows.end(); ++it) batch.row_bytes -= it->row_bytes();
  rows.erase(undone, rows.end());
  group_rows_ = mark;
}

bool MySqlSource::on_transaction_control(const BinlogEvent& event, std::string_view statement,
                                         ChangeBatch& batch, const ReadLimits& limits) {
  if (after_word(statement, "BEGIN")) {
    begin_transaction(event, batch);
    return false;
  }
  if (after_word(statement, "COMMIT")) return on_commit(event, batch, limits);
  if (std::optional<std::string_view> xa = after_word(statement, "XA"))
    return on_xa_statement(event, *xa, batch, limits);
  if (std::optional<std::string_view> name = after_word(statement, "SAVEPOINT")) {
    std::string key = normalized(*name);
    std::erase_if(savepoints_, [&](const auto& savepoint) { return savepoint.first == key; });
    savepoints_.emplace_back(key, group_rows_);
    return false;
  }
  std::optional<std::string_view> rollback = after_word(statement, "ROLLBACK");
  if (!rollback) return false;
  // The server cuts rolled-back rows out of a transaction before logging it, unless the
  // transaction also changed a non-transactional table (whose rows, in row format, are
  // groups of their own): then it logs them, followed by ROLLBACK TO, or by ROLLBACK
  // ending the group (a rollback to a savepoint set before the group's first row, or a
  // whole rollback).
  std::string_view rest = after_word(*rollback, "WORK").value_or(*rollback);
  std::optional<std::string_view> to = after_word(rest, "TO");
  if (!to) {
    undo_rows_since(0, statement, batch, limits);
    return on_commit(event, batch, limits);
  }
  std::string key = normalized(after_word(*to, "SAVEPOINT").value_or(*to));
  auto it = std::ranges::find(savepoints_, key, &Savepoint::first);
  // A SAVEPOINT is logged only once the transaction has logged a row: one not in the
  // binlog was set before the group's first row.
  undo_rows_since(it == savepoints_.end() ? 0 : it->second, statement, batch, limits);
  if (it != savepoints_.end()) savepoints_.erase(it + 1, savepoints_.end());
  return false;
}

// MySQL writes XA START and XA END as statements around the rows, then an XA_PREPARE
// event; MariaDB flags the GTID event instead of writing XA START. XA COMMIT and XA
// ROLLBACK of a prepared XA are groups of their own on both.
bool MySqlSource::on_xa_statement(const BinlogEvent& event, std::string_view statement,
                                  ChangeBatch& batch, const ReadLimits& limits) {
  if (after_word(statement, "START")) {
    begin_transaction(event, batch);
    xa_rows_.emplace();
    return false;
  }
  if (std::optional<std::string_view> xid = after_word(statement, "COMMIT")) {
    std::string key = normalized(*xid);
    if (key.ends_with("ONEPHASE") && xa_rows_) {
      release_xa(*xa_rows_, batch);
      xa_rows_.reset();
      return on_commit(event, batch, limits);
    }
    auto it = prepared_xa_.find(key);
    if (it == prepared_xa_.end()) {
      spdlog::warn(
          "source: `{}` commits an XA transaction prepared before sluice's start position: if it "
          "changed captured tables, those rows are not in the warehouse (run `sluice reset` for "
          "a new snapshot)",
          statement.substr(0, 200));
    } else {
      release_xa(it->second, batch);
      prepared_xa_.erase(it);
    }
    return on_commit(event, batch, limits);
  }
  if (std::optional<std::string_view> xid = after_word(statement, "ROLLBACK")) {
    prepared_xa_.erase(normalized(*xid));
    xa_rows_.reset();
    return on_commit(event, batch, limits);
  }
  return false;  // XA END: the XA_PREPARE event follows
}

bool MySqlSource::on_xa_prepare(const BinlogEvent& event, ChangeBatch& batch,
                                const ReadLimits& limits) {
  detail::ByteReader in(event.body);
  bool one_phase = in.u8() != 0;
  std::string xid = xid_text(in);
  std::vector<Change> rows = xa_rows_ ? std::move(*xa_rows_) : std::vector<Change>{};
  xa_rows_.reset();
  if (one_phase) {
    // MySQL's XA COMMIT ... ONE PHASE: the XA_PREPARE event is the commit.
    release_xa(rows, batch);
    return on_commit(event, batch, limits);
  }
  spdlog::info(
      "source: XA transaction {} prepared ({} rows held until its XA COMMIT; the warehouse "
      "commits again when no XA transaction is prepared: XA RECOVER on the source lists them)",
      xid, rows.size());
  prepared_xa_[normalized(xid)] = std::move(rows);
  return on_commit(event, batch, limits);
}

void MySqlSource::release_xa(std::vector<Change>& rows, ChangeBatch& batch) {
  for (Change& change : rows) {
    // The per-table snapshot skips transactions committed before its copy: for an XA that
    // is its XA COMMIT, read now.
    auto it = tables_.find(change.table->schema + "." + change.table->name);
    if (it != tables_.end() && in_copy(it->second)) continue;
    change.commit_time_us = transaction_time_us_;
    change.xid = transaction_xid_;
    batch.row_bytes += change.row_bytes();
    batch.changes.push_back(std::move(change));
  }
  rows.clear();
}

bool MySqlSource::on_rows(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits) {
  RowsEventHeader header = parse_rows_event_header(event.type, event.body);
  auto it = table_ids_.find(header.table_id);
  if (it == table_ids_.end() || it->second.table == nullptr) return false;
  if (!xa_rows_ && in_copy(*it->second.table)) return false;
  MappedTable& mapped = it->second;
  RowsDecoder& decoder = *mapped.decoder;
  decoder.begin(event.type, event.body);
  uint64_t offset = event.end_offset >= event.length ? event.end_offset - event.length : 0;
  std::vector<Change>& rows = transaction_rows(batch);
  size_t rows_before = rows.size();
  while (decoder.next_row()) {
    Change& change = rows.emplace_back();
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
    change.source_offset = SourceOffset{offset};
  }
  group_rows_ += rows.size() - rows_before;
  if (xa_rows_) return false;
  for (size_t i = rows_before; i < rows.size(); ++i) batch.row_bytes += rows[i].row_bytes();
  if (!limits.full(batch)) return false;
  group_rows_passed_ = group_rows_;  // the batch goes to the sink in mid-transaction
  return true;
}

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up) {
  return std::make_unique<MySqlSource>(config, until_caught_up);
}

}  // namespace sluice::mysql
