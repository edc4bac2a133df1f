#include "source/mysql/mysql_admin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "config/table_names.hpp"
#include "core/error.hpp"
#include "mysqlclient/mysql_connection.hpp"
#include "source/mysql/gtid_set.hpp"
#include "source/mysql/mysql_catalog.hpp"
#include "source/mysql/mysql_snapshot.hpp"
#include "source/mysql/mysql_source.hpp"

namespace sluice::mysql {
namespace {

// A pipeline stopped for longer than the retention loses its position; a day leaves
// room for a weekend-long outage to be noticed only if retention is longer still.
constexpr uint64_t kMinimumRetentionSeconds = 24 * 3600;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string variable(MySqlConnection& conn, std::string_view name) {
  // SHOW VARIABLES answers for variables a server lacks (no error, no row).
  MySqlRows rows = conn.query(fmt::format("SHOW GLOBAL VARIABLES LIKE '{}'", name));
  if (rows.empty() || rows[0].size() < 2) return {};
  return rows[0][1].value_or("");
}

void check_binlog_settings(MySqlConnection& conn, std::vector<std::string>& problems) {
  std::string log_bin = upper(variable(conn, "log_bin"));
  if (log_bin != "ON" && log_bin != "1")
    problems.emplace_back(
        "source: binary logging is off (log_bin): start the server with --log-bin");
  std::string format = upper(variable(conn, "binlog_format"));
  if (format != "ROW")
    problems.push_back(fmt::format(
        "source: binlog_format is {}, sluice needs ROW (SET GLOBAL binlog_format = 'ROW' and "
        "binlog_format=ROW in the server's configuration)",
        format));
  std::string image = upper(variable(conn, "binlog_row_image"));
  if (image != "FULL")
    problems.push_back(fmt::format(
        "source: binlog_row_image is {}, sluice needs FULL (whole rows for updates and deletes)",
        image));
  std::string metadata = upper(variable(conn, "binlog_row_metadata"));
  if (!metadata.empty() && metadata != "FULL")
    problems.push_back(fmt::format(
        "source: binlog_row_metadata is {}: set FULL so that column names travel with each "
        "event and ADD/DROP COLUMN can be followed",
        metadata));
  if (auto problem = row_value_options_problem(variable(conn, "binlog_row_value_options")))
    problems.push_back(std::move(*problem));
}

// Replicas that registered themselves (SHOW SLAVE HOSTS); empty when the user may not ask.
MySqlRows registered_replicas(MySqlConnection& conn) {
  Result<MySqlRows> rows = conn.try_query("SHOW SLAVE HOSTS");
  if (!rows && rows.error().code() == Errc::kRefused) return {};
  return std::move(rows).value_or_raise();
}

// The replication sources of a replica (SHOW REPLICA STATUS, SHOW SLAVE STATUS before
// MySQL 8.0.22); empty when the server replicates from none or the user may not ask.
MySqlRows replication_sources(MySqlConnection& conn) {
  for (const char* statement : {"SHOW REPLICA STATUS", "SHOW SLAVE STATUS"}) {
    Result<MySqlRows> rows = conn.try_query(statement);
    if (rows || rows.error().code() != Errc::kRefused) return std::move(rows).value_or_raise();
  }
  return {};
}

// A replica writes what it replicates into its own binlog only with log_slave_updates
// (log_replica_updates on MySQL 8.4): without it, sluice reading that binlog never sees
// those changes, and a failover to it cannot resume.
void check_replica_updates(MySqlConnection& conn, std::vector<std::string>& problems) {
  std::string updates = upper(variable(conn, "log_slave_updates"));
  if (updates.empty()) updates = upper(variable(conn, "log_replica_updates"));
  if (updates == "ON" || updates == "1" || replication_sources(conn).empty()) return;
  problems.emplace_back(
      "source: the server is a replica with log_slave_updates=OFF: the changes it replicates "
      "are not in its binlog, so sluice would miss them; set log_slave_updates=ON");
}

void check_server_id(MySqlConnection& conn, const PipelineConfig& config,
                     std::vector<std::string>& problems) {
  std::string own = variable(conn, "server_id");
  if (own == "0")
    problems.emplace_back("source: server_id is 0: binary logging needs a non-zero server_id");
  uint32_t replica = replica_server_id(config);
  if (own == std::to_string(replica))
    problems.push_back(fmt::format(
        "source: source.server_id {} is the server's own server_id: choose another (unique "
        "among the server and its replicas)",
        replica));
  for (const auto& row : registered_replicas(conn))
    if (row[0] == std::to_string(replica))
      problems.push_back(fmt::format(
          "source: replica server_id {} is already registered by another replica", replica));
}

void check_retention(MySqlConnection& conn, std::vector<std::string>& problems) {
  uint64_t seconds = 0;
  if (std::string s = variable(conn, "binlog_expire_logs_seconds"); !s.empty())
    seconds = std::stoull(s);
  if (seconds == 0) {
    std::string days = variable(conn, "expire_logs_days");
    if (!days.empty()) seconds = static_cast<uint64_t>(std::stod(days) * 86400);
  }
  if (seconds != 0 && seconds < kMinimumRetentionSeconds)
    problems.push_back(fmt::format(
        "source: binlogs are kept {} s (binlog_expire_logs_seconds/expire_logs_days): a "
        "pipeline stopped for longer loses its position; keep them at least {} s",
        seconds, kMinimumRetentionSeconds));
}

void check_privileges(MySqlConnection& conn, std::vector<std::string>& problems) {
  std::string grants;
  for (const auto& row : conn.query("SHOW GRANTS FOR CURRENT_USER()"))
    grants += upper(row[0].value_or("")) + "\n";
  auto global_has = [&](std::string_view privilege) {
    std::string_view text = grants;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      std::string_view line = text.substr(start, end - start);
      start = end + 1;
      if (line.find(" ON *.* ") == std::string_view::npos) continue;
      if (line.find("ALL PRIVILEGES") != std::string_view::npos ||
          line.find(privilege) != std::string_view::npos)
        return true;
    }
    return false;
  };
  if (!global_has("REPLICATION SLAVE") && !global_has("REPLICATION REPLICA"))
    problems.emplace_back(
        "source: the user lacks REPLICATION SLAVE (GRANT REPLICATION SLAVE ON *.* TO ...)");
  if (!global_has("REPLICATION CLIENT") && !global_has("BINLOG MONITOR"))
    problems.emplace_back(
        "source: the user lacks REPLICATION CLIENT (BINLOG MONITOR on MariaDB) (GRANT "
        "REPLICATION CLIENT ON *.* TO ...)");
  // MariaDB's snapshot needs no lock (docs/design-notes.md); MySQL's takes one.
  if (!conn.is_mariadb() && !global_has("RELOAD"))
    problems.emplace_back(
        "source: the user lacks RELOAD, which the consistent snapshot needs for FLUSH TABLES "
        "WITH READ LOCK (GRANT RELOAD ON *.* TO ...)");
  if (!global_has("SELECT") && grants.find("GRANT SELECT") == std::string::npos &&
      grants.find(", SELECT") == std::string::npos)
    problems.emplace_back("source: the user lacks SELECT on the captured tables");
}

uint64_t bytes_behind(MySqlConnection& conn, const BinlogPosition& from) {
  uint64_t total = 0;
  bool counting = false;
  for (const auto& row : conn.query("SHOW BINARY LOGS")) {
    std::string file = row[0].value_or("");
    uint64_t size = std::stoull(row[1].value_or("0"));
    if (file == from.file) {
      counting = true;
      total += size > from.offset ? size - from.offset : 0;
    } else if (counting) {
      total += size;
    }
  }
  return total;
}

// MariaDB resumes by GTID, on this server or on a promoted replica: what matters is
// whether this server's binlog holds the checkpoint's transactions, and still holds
// what follows them (the state at the start of its oldest binlog is not past them).
std::string gtid_resume_status(MySqlConnection& conn, const BinlogPosition& server,
                               const BinlogPosition& at, const MySqlRows& logs,
                               const PipelineConfig& config) {
  GtidSet checkpoint(BinlogFlavor::kMariaDb, at.gtid_set);
  if (!GtidSet(BinlogFlavor::kMariaDb, server.gtid_set).contains(checkpoint))
    return fmt::format(
        "source: checkpoint GTIDs {} are not all in this server's binlog (gtid_binlog_pos {}): "
        "the next run stops; point source.url at a server that has them",
        at.gtid_set, server.gtid_set);
  std::string oldest = logs.empty() ? "" : logs.front()[0].value_or("");
  std::string oldest_start =
      conn.scalar(fmt::format("SELECT BINLOG_GTID_POS({}, 4)", conn.quote_literal(oldest)))
          .value_or("");
  if (!checkpoint.contains(GtidSet(BinlogFlavor::kMariaDb, oldest_start)))
    return fmt::format(
        "source: checkpoint GTIDs {} are older than the server's oldest binlog {} (purged): run "
        "`sluice reset -c {}`",
        at.gtid_set, oldest, config.file);
  return fmt::format(
      "source: checkpoint GTIDs {} are in this server's binlog: the next run "
      "resumes after them",
      at.gtid_set);
}

}  // namespace

std::optional<std::string> row_value_options_problem(std::string_view value) {
  // MySQL 8 logs JSON updates as PARTIAL_UPDATE_ROWS events then, which hold only the
  // changed parts of a document (MariaDB has no such variable).
  if (upper(std::string(value)).find("PARTIAL_JSON") == std::string::npos) return std::nullopt;
  return "source: binlog_row_value_options is PARTIAL_JSON, whose PARTIAL_UPDATE_ROWS events "
         "sluice cannot decode: SET GLOBAL binlog_row_value_options = '' (and in the server's "
         "configuration)";
}

std::vector<std::string> check_source(const PipelineConfig& config) {
  std::unique_ptr<MySqlConnection> conn;
  try {
    conn = std::make_unique<MySqlConnection>(config.source.url, "source");
  } catch (const std::exception& e) {
    return {e.what()};
  }
  std::vector<std::string> problems;
  check_binlog_settings(*conn, problems);
  check_replica_updates(*conn, problems);
  check_server_id(*conn, config, problems);
  check_privileges(*conn, problems);
  check_retention(*conn, problems);
  try {
    std::vector<MySqlTableRef> tables = resolve_tables(*conn, config.source.tables);
    if (tables.empty()) problems.emplace_back("source: no tables with a primary key to capture");
    for (std::string& p : table_problems(*conn, tables)) problems.push_back(std::move(p));
    std::vector<TableSchemaPtr> named;
    for (const MySqlTableRef& t : tables)
      named.push_back(std::make_shared<TableSchema>(TableSchema{t.database, t.name, {}}));
    WarehouseNames(config).check_distinct(named);
  } catch (const ConfigError& e) {
    problems.emplace_back(e.what());
  }
  return problems;
}

std::vector<std::string> source_status(const PipelineConfig& config,
                                       const std::optional<Position>& checkpoint) {
  MySqlConnection conn(config.source.url, "source");
  BinlogPosition server = read_master_status(conn);
  MySqlRows logs = conn.query("SHOW BINARY LOGS");
  std::vector<std::string> lines;
  lines.push_back(
      fmt::format("source binlog: server at {}, {} binlog files kept (oldest {}), "
                  "replica server_id {}",
                  to_string(server), logs.size(),
                  logs.empty() ? "-" : logs.front()[0].value_or("-"), replica_server_id(config)));
  if (!checkpoint || !std::holds_alternative<BinlogPosition>(*checkpoint)) {
    lines.emplace_back("source: no binlog checkpoint yet (the next run takes a snapshot)");
    return lines;
  }
  const auto& at = std::get<BinlogPosition>(*checkpoint);
  bool present = std::ranges::any_of(logs, [&](const auto& row) { return row[0] == at.file; });
  if (conn.is_mariadb() && !at.gtid_set.empty()) {
    lines.push_back(gtid_resume_status(conn, server, at, logs, config));
    if (present) lines.push_back(fmt::format("source: lag {} bytes", bytes_behind(conn, at)));
    return lines;
  }
  if (!present)
    lines.push_back(fmt::format(
        "source: checkpoint {} is in a binlog the server no longer has: run `sluice reset -c {}`",
        to_string(at), config.file));
  else
    lines.push_back(
        fmt::format("source: checkpoint {}, lag {} bytes", to_string(at), bytes_behind(conn, at)));
  return lines;
}

void reset_source(const PipelineConfig& config) {
  MySqlConnection conn(config.source.url, "source");
  uint32_t replica = replica_server_id(config);
  for (const auto& row : registered_replicas(conn))
    if (row[0] == std::to_string(replica))
      throw FatalError(fmt::format(
          "source: a replica with server_id {} (this pipeline) is attached; stop it first",
          replica));
}

}  // namespace sluice::mysql
