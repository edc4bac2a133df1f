#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct st_mysql;

namespace sluice::test {

struct MariaDbServerOptions {
  std::string binlog_format = "ROW";
  std::string binlog_row_image = "FULL";
  std::string binlog_row_metadata = "FULL";
  bool log_bin = true;
  int server_id = 1;
  // Further server options as on mariadbd's command line ("--log-bin-compress=ON").
  std::vector<std::string> extra_args;
};

// A throwaway MariaDB 10.11 server on 127.0.0.1 in its own folder (as the `mysql` user
// when the tests run as root), stopped and removed with the object. `root` logs in with
// root_password(); password_user() is an ordinary account with replication privileges.
class MariaDbServer {
 public:
  explicit MariaDbServer(MariaDbServerOptions options = {});
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& user, const std::string& password,
                  const std::string& database) const;
  std::string root_url(const std::string& database) const {
    return url("root", root_password_, database);
  }
  const std::string& root_password() const { return root_password_; }
  // Drops and creates the database.
  void create_database(const std::string& name);

  // Stops the server: a clean shutdown, or SIGKILL when `crash`.
  void stop(bool crash = false);
  // Starts it again on the same folder and port.
  void start();

 private:
  std::vector<std::string> server_args() const;
  void wait_until_ready();

  MariaDbServerOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path data_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string root_password_ = "Root-Pa55word";
};

// One server per test process, started on first use.
MariaDbServer& shared_mariadb_server();

using MySqlRow = std::vector<std::optional<std::string>>;

// A plain Connector/C client for setting up and checking databases in tests. Every call
// throws with the server's message on failure.
class MySqlClient {
 public:
  explicit MySqlClient(const std::string& url);
  ~MySqlClient();
  MySqlClient(const MySqlClient&) = delete;
  MySqlClient& operator=(const MySqlClient&) = delete;

  // Runs one or more statements separated by semicolons.
  void exec(const std::string& sql);
  std::vector<MySqlRow> query(const std::string& sql);
  // The first column of the first row; "NULL" for NULL, "" when there is no row.
  std::string scalar(const std::string& sql);

 private:
  st_mysql* conn_ = nullptr;
};

}  // namespace sluice::test
