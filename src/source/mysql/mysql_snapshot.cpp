#include "source/mysql/mysql_snapshot.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>

#include "copytext/copy_text_encoder.hpp"
#include "core/error.hpp"
#include "source/copy_progress.hpp"
#include "source/mysql/binlog_value_text.hpp"
#include "source/mysql/mysql_charset.hpp"
#include "source/mysql/mysql_source.hpp"
#include "source/parallel_copy.hpp"

namespace sluice::mysql {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;

// How the text protocol's value differs from the binlog decoder's canonical text.
enum class Format : uint8_t {
  kAsIs,
  kFloat,   // selected as a double: printed back as the float it is
  kDouble,  // reprinted as the shortest text that reads back the same
  kDate,
  kDatetime,
  kTimestamp,  // selected in UTC; gets "+00"
  kTime,
  kYear,
  kBytes,
  kGeometry,
};

struct ColumnCopy {
  std::string name;
  std::string select_expression;
  Format format = Format::kAsIs;
  // Text in a character set other than UTF-8: the session reads its bytes unconverted,
  // and this turns them into UTF-8 exactly as the binlog decoder does.
  std::unique_ptr<Utf8Converter> converter;
};

std::string base_type(std::string_view declared) {
  std::string base(declared.substr(0, declared.find_first_of("( ")));
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return base;
}

Format format_of(const std::string& base) {
  static constexpr std::pair<std::string_view, Format> kFormats[] = {
      {"float", Format::kFloat},
      {"double", Format::kDouble},
      {"real", Format::kDouble},
      {"date", Format::kDate},
      {"datetime", Format::kDatetime},
      {"timestamp", Format::kTimestamp},
      {"time", Format::kTime},
      {"year", Format::kYear},
      {"binary", Format::kBytes},
      {"varbinary", Format::kBytes},
      {"tinyblob", Format::kBytes},
      {"blob", Format::kBytes},
      {"mediumblob", Format::kBytes},
      {"longblob", Format::kBytes},
      {"geometry", Format::kGeometry},
      {"point", Format::kGeometry},
      {"linestring", Format::kGeometry},
      {"polygon", Format::kGeometry},
      {"multipoint", Format::kGeometry},
      {"multilinestring", Format::kGeometry},
      {"multipolygon", Format::kGeometry},
      {"geometrycollection", Format::kGeometry},
  };
  for (const auto& [name, format] : kFormats)
    if (name == base) return format;
  return Format::kAsIs;
}

ColumnCopy plan_column(const ColumnInfo& info) {
  std::string column = MySqlConnection::quote_identifier(info.name);
  std::string base = base_type(info.declared_type);
  if (base == "bit") {
    // BIT arrives as raw bytes; BIN() gives the digits, LPAD the declared width.
    size_t open = info.declared_type.find('(');
    int width = open == std::string::npos ? 1 : std::atoi(info.declared_type.c_str() + open + 1);
    return {info.name, fmt::format("LPAD(BIN({}), {}, '0')", column, width), Format::kAsIs};
  }
  Format format = format_of(base);
  // FLOAT's own text is rounded to 6 digits; its exact value as a double is not.
  if (format == Format::kFloat) return {info.name, fmt::format("({} + 0e0)", column), format};
  ColumnCopy copy{info.name, column, format};
  TextEncoding encoding = encoding_of_charset(info.charset);
  if (format == Format::kAsIs &&
      (encoding == TextEncoding::kLatin1 || encoding == TextEncoding::kConverted))
    copy.converter = std::make_unique<Utf8Converter>(info.charset);
  return copy;
}

bool valid_date_text(std::string_view text) {
  // "YYYY-MM-DD...": MySQL's zero dates and zero parts have no PostgreSQL equivalent.
  if (text.size() < 10) return false;
  return text.substr(0, 4) != "0000" && text.substr(5, 2) != "00" && text.substr(8, 2) != "00";
}

void append_without_trailing_fraction_zeros(std::string_view text, std::string& out) {
  size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    size_t end = text.find_last_not_of('0');
    text = text.substr(0, end == dot ? dot : end + 1);
  }
  out.append(text);
}

template <typename T>
void append_reprinted(std::string_view text, std::string& out) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) throw FatalError(fmt::format("snapshot: unreadable number '{}'", text));
  fmt::format_to(std::back_inserter(out), "{}", static_cast<T>(value));
}

// Appends one field in COPY text form; false when the value is NULL in the warehouse.
bool append_value(Format format, std::string_view text, std::string& out, std::string& scratch) {
  switch (format) {
    case Format::kAsIs:
      append_copy_escaped(out, text);
      return true;
    case Format::kFloat:
      append_reprinted<float>(text, out);
      return true;
    case Format::kDouble:
      append_reprinted<double>(text, out);
      return true;
    case Format::kDate:
      if (!valid_date_text(text)) return false;
      out.append(text);
      return true;
    case Format::kDatetime:
    case Format::kTimestamp:
      if (!valid_date_text(text)) return false;
      append_without_trailing_fraction_zeros(text, out);
      if (format == Format::kTimestamp) out.append("+00");
      return true;
    case Format::kTime:
      append_without_trailing_fraction_zeros(text, out);
      return true;
    case Format::kYear:
      if (text == "0000" || text == "0") return false;
      out.append(text);
      return true;
    case Format::kBytes:
      // The text protocol's value is whole (no padding to add); COPY text escapes the
      // backslash of "\x", and hex digits need no escaping.
      out.push_back('\\');
      detail::append_bytea_hex(text, 0, [&](std::string_view piece) { out.append(piece); });
      return true;
    case Format::kGeometry:
      scratch.clear();
      detail::append_geometry_ewkb_hex(
          std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), scratch);
      out.append(scratch);
      return true;
  }
  return true;
}

class RowStreamReader : public CopyTextReader {
 public:
  RowStreamReader(MySqlConnection& conn, const std::string& sql, std::vector<ColumnCopy> columns,
                  std::string table_name)
      : stream_(conn, sql),
        columns_(std::move(columns)),
        table_name_(std::move(table_name)),
        progress_(table_name_) {
    chunk_.reserve(kChunkBytes + 4096);
  }

  std::optional<std::string_view> next_chunk() override {
    chunk_.clear();
    while (!done_ && chunk_.size() < kChunkBytes) {
      if (!stream_.next()) {
        done_ = true;
        progress_.report(true);
        break;
      }
      append_row();
    }
    progress_.report(false);
    if (chunk_.empty()) return std::nullopt;
    return std::string_view(chunk_);
  }

 private:
  void append_row() {
    for (unsigned i = 0; i < columns_.size(); ++i) {
      if (i != 0) chunk_.push_back('\t');
      std::optional<std::string_view> value = stream_.value(i);
      if (value && columns_[i].converter) value = converted(columns_[i], *value);
      if (!value || !append_value(columns_[i].format, *value, chunk_, scratch_))
        append_copy_null(chunk_);
    }
    chunk_.push_back('\n');
    progress_.count_row();
  }

  std::string_view converted(const ColumnCopy& column, std::string_view bytes) {
    converted_.clear();
    try {
      column.converter->append(bytes, converted_);
    } catch (const FatalError& e) {
      throw FatalError(
          fmt::format("snapshot: {} column {}: {}", table_name_, column.name, e.what()));
    }
    return converted_;
  }

  MySqlRowStream stream_;
  std::vector<ColumnCopy> columns_;
  std::string table_name_;
  std::string chunk_;
  std::string scratch_;
  std::string converted_;
  bool done_ = false;
  CopyProgress progress_;
};

void prepare_session(MySqlConnection& conn) {
  // TIMESTAMP values print in the session zone: UTC matches the binlog's instants. Text
  // comes in its column's own character set, as in the binlog, for the same conversion
  // (mysql_charset.hpp). A slow warehouse must not make the server give up on sending a
  // large table.
  conn.exec(
      "SET SESSION time_zone = '+00:00', SESSION character_set_results = binary, SESSION "
      "net_write_timeout = 3600");
  conn.exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
}

}  // namespace

BinlogPosition read_master_status(MySqlConnection& conn) {
  MySqlRows status = conn.query("SHOW MASTER STATUS");
  if (status.empty() || !status[0][0])
    throw ConfigError(
        "source: the server has no binlog (SHOW MASTER STATUS is empty): set log_bin");
  BinlogPosition position;
  position.file = *status[0][0];
  position.offset = std::stoull(status[0][1].value_or("4"));
  if (conn.is_mariadb())
    position.gtid_set = conn.scalar("SELECT @@GLOBAL.gtid_binlog_pos").value_or("");
  else if (status[0].size() > 4)
    position.gtid_set = status[0][4].value_or("");
  return position;
}

BinlogPosition start_snapshot_transaction(MySqlConnection& conn) {
  conn.exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  BinlogPosition position;
  for (const auto& row : conn.query("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'")) {
    if (row[0] == "Binlog_snapshot_file") position.file = row[1].value_or("");
    if (row[0] == "Binlog_snapshot_position") position.offset = std::stoull(row[1].value_or("0"));
  }
  if (position.file.empty())
    throw ConfigError(
        "source: the server has no binlog (binlog_snapshot_file is empty): set log_bin");
  position.gtid_set = conn.scalar(fmt::format("SELECT BINLOG_GTID_POS({}, {})",
                                              conn.quote_literal(position.file), position.offset))
                          .value_or("");
  return position;
}

std::unique_ptr<MySqlConnection> open_copy_connection(const MySqlUrl& url) {
  auto conn = std::make_unique<MySqlConnection>(url, "source snapshot");
  prepare_session(*conn);
  return conn;
}

ConsistentSnapshot open_consistent_snapshot(const MySqlUrl& url, size_t count) {
  ConsistentSnapshot snapshot;
  for (size_t i = 0; i < count; ++i) snapshot.connections.push_back(open_copy_connection(url));
  MySqlConnection lock(url, "source snapshot");
  auto started = std::chrono::steady_clock::now();
  lock.exec("FLUSH TABLES WITH READ LOCK");
  try {
    for (auto& conn : snapshot.connections)
      conn->exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    snapshot.position = read_master_status(lock);
  } catch (...) {
    lock.exec("UNLOCK TABLES");
    throw;
  }
  lock.exec("UNLOCK TABLES");
  spdlog::info("snapshot: consistent at {} (commits paused for {} ms)",
               to_string(snapshot.position),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  return snapshot;
}

void copy_table(MySqlConnection& conn, const TableDefinition& definition,
                const TableSchemaPtr& schema, SnapshotConsumer& consumer) {
  std::string select;
  std::vector<ColumnCopy> columns;
  for (const ColumnInfo& info : definition.columns) {
    ColumnCopy plan = plan_column(info);
    if (!select.empty()) select += ", ";
    select += plan.select_expression;
    columns.push_back(std::move(plan));
  }
  std::string sql = fmt::format("SELECT {} FROM {}.{}", select,
                                MySqlConnection::quote_identifier(definition.ref.database),
                                MySqlConnection::quote_identifier(definition.ref.name));
  RowStreamReader reader(conn, sql, std::move(columns), definition.ref.qualified());
  consumer.load_table(schema, reader);
}

// MySqlSource's snapshot: which kind the server allows, the tables copied in parallel.

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
  copy_tables_in_parallel(work.size(), connections,
                          [&](size_t worker, size_t table) { copy(worker, *work[table]); });
}

void MySqlSource::expect_rows(SnapshotConsumer& consumer) const {
  for (const auto& [name, table] : tables_)
    consumer.expect_rows(table.schema, table.estimated_rows);
}

}  // namespace sluice::mysql
