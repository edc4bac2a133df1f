#include "harness/mariadb_server.hpp"

#include <mysql.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

const std::string kServerUser = "mysql";

// mysql://user:password@host:port/database, as the sluice URLs the tests write.
struct ParsedUrl {
  std::string user, password, host, database;
  unsigned port = 3306;
};

ParsedUrl parse(const std::string& url) {
  ParsedUrl out;
  std::string rest = url.substr(url.find("://") + 3);
  size_t at = rest.rfind('@');
  std::string credentials = rest.substr(0, at);
  rest = rest.substr(at + 1);
  size_t colon = credentials.find(':');
  out.user = credentials.substr(0, colon);
  if (colon != std::string::npos) out.password = credentials.substr(colon + 1);
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  out.database = slash == std::string::npos ? "" : rest.substr(slash + 1);
  out.database = out.database.substr(0, out.database.find('?'));
  size_t port_colon = hostport.find(':');
  out.host = hostport.substr(0, port_colon);
  if (port_colon != std::string::npos) out.port = std::stoul(hostport.substr(port_colon + 1));
  return out;
}

}  // namespace

MariaDbServer::MariaDbServer(MariaDbServerOptions options)
    : options_(std::move(options)), dir_(make_subdir("mariadb")), data_(dir_ / "data") {
  std::filesystem::create_directories(data_);
  // Its own temporary folder: servers set up at the same time must not share /tmp's files.
  std::filesystem::create_directories(dir_ / "tmp");
  give_to_user(dir_, kServerUser);
  give_to_user(data_, kServerUser);
  give_to_user(dir_ / "tmp", kServerUser);
  std::filesystem::path log = dir_ / "setup.log";
  std::vector<std::string> install = {"mariadb-install-db",
                                      "--no-defaults",
                                      "--datadir=" + data_.string(),
                                      "--auth-root-authentication-method=normal",
                                      "--skip-test-db",
                                      "--tmpdir=" + (dir_ / "tmp").string()};
  if (running_as_root()) install.push_back("--user=" + kServerUser);
  run_or_throw(install, log);
  port_ = free_port();
  start();
  MySqlClient root("mysql://root@127.0.0.1:" + std::to_string(port_) + "/");
  // mariadb-install-db made root@127.0.0.1 without a password: give it one, so the
  // tests exercise the password path (and its redaction).
  root.exec("ALTER USER 'root'@'localhost' IDENTIFIED BY '" + root_password_ +
            "'; ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '" + root_password_ + "'");
}

MariaDbServer::~MariaDbServer() {
  stop(/*crash=*/true);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::vector<std::string> MariaDbServer::server_args() const {
  std::vector<std::string> args = {
      "/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data_.string(),
      "--socket=" + (dir_ / "mysqld.sock").string(), "--port=" + std::to_string(port_),
      "--bind-address=127.0.0.1", "--pid-file=" + (dir_ / "mysqld.pid").string(),
      "--log-error=" + (dir_ / "server.log").string(), "--skip-name-resolve",
      "--tmpdir=" + (dir_ / "tmp").string(), "--server-id=" + std::to_string(options_.server_id),
      "--binlog-format=" + options_.binlog_format,
      "--binlog-row-image=" + options_.binlog_row_image,
      "--binlog-row-metadata=" + options_.binlog_row_metadata,
      // Durability of the test server itself is not under test: sluice's is.
      "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0", "--innodb-buffer-pool-size=128M",
      "--innodb-log-file-size=64M", "--max-connections=300", "--expire-logs-days=7"};
  if (options_.log_bin) args.push_back("--log-bin=" + (data_ / "binlog").string());
  if (running_as_root()) args.push_back("--user=" + kServerUser);
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  return args;
}

void MariaDbServer::start() {
  pid_ = start_command(server_args(), dir_ / "stdout.log");
  // Checking the datadir leaves a reused pid alone.
  std::string pid = std::to_string(pid_);
  stop_when_this_process_dies(
      "grep -qF '" + data_.string() + "' /proc/" + pid + "/cmdline 2>/dev/null && kill -9 " + pid,
      dir_ / "watchdog.log");
  wait_until_ready();
}

void MariaDbServer::wait_until_ready() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string root_url = "mysql://root@127.0.0.1:" + std::to_string(port_) + "/";
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("mariadbd exited:\n" + read_file(dir_ / "server.log"));
    }
    for (const std::string& password : {root_password_, std::string()}) {
      try {
        MySqlClient probe(url("root", password, ""));
        return;
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("mariadbd did not start:\n" + read_file(dir_ / "server.log"));
}

void MariaDbServer::stop(bool crash) {
  if (pid_ <= 0) return;
  ::kill(pid_, crash ? SIGKILL : SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string MariaDbServer::url(const std::string& user, const std::string& password,
                               const std::string& database) const {
  std::string credentials = user + (password.empty() ? "" : ":" + password);
  return "mysql://" + credentials + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void MariaDbServer::create_database(const std::string& name) {
  MySqlClient root(root_url(""));
  root.exec("DROP DATABASE IF EXISTS `" + name + "`; CREATE DATABASE `" + name +
            "` CHARACTER SET utf8mb4");
}

MariaDbServer& shared_mariadb_server() {
  static MariaDbServer server;
  return server;
}

MySqlClient::MySqlClient(const std::string& url) {
  ParsedUrl u = parse(url);
  conn_ = mysql_init(nullptr);
  unsigned timeout = 10;
  mysql_optionsv(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(conn_, u.host.c_str(), u.user.c_str(), u.password.c_str(),
                         u.database.empty() ? nullptr : u.database.c_str(), u.port, nullptr,
                         CLIENT_MULTI_STATEMENTS) == nullptr) {
    std::string message = mysql_error(conn_);
    mysql_close(conn_);
    throw std::runtime_error("connect: " + message);
  }
}

MySqlClient::~MySqlClient() {
  mysql_close(conn_);
}

void MySqlClient::exec(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0)
    throw std::runtime_error(sql.substr(0, 200) + ": " + mysql_error(conn_));
  do {
    if (MYSQL_RES* result = mysql_store_result(conn_)) mysql_free_result(result);
  } while (mysql_next_result(conn_) == 0);
  if (mysql_errno(conn_) != 0)
    throw std::runtime_error(sql.substr(0, 200) + ": " + mysql_error(conn_));
}

std::vector<MySqlRow> MySqlClient::query(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0)
    throw std::runtime_error(sql.substr(0, 200) + ": " + mysql_error(conn_));
  MYSQL_RES* result = mysql_store_result(conn_);
  std::vector<MySqlRow> rows;
  if (result == nullptr) {
    if (mysql_field_count(conn_) != 0)
      throw std::runtime_error(sql.substr(0, 200) + ": " + mysql_error(conn_));
    return rows;
  }
  unsigned fields = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    MySqlRow& out = rows.emplace_back();
    for (unsigned i = 0; i < fields; ++i) {
      if (row[i] == nullptr)
        out.emplace_back(std::nullopt);
      else
        out.emplace_back(std::string(row[i], lengths[i]));
    }
  }
  mysql_free_result(result);
  return rows;
}

std::string MySqlClient::scalar(const std::string& sql) {
  std::vector<MySqlRow> rows = query(sql);
  if (rows.empty() || rows[0].empty()) return "";
  return rows[0][0].value_or("NULL");
}

}  // namespace sluice::test
