#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::test {

struct PgServerOptions {
  std::string wal_level = "logical";
  // Further postgresql.conf lines ("wal_sender_timeout = '5s'").
  std::vector<std::string> extra_config;
};

// A throwaway PostgreSQL 15 server on 127.0.0.1 in its own folder, stopped and removed
// with the object. User `postgres` logs in without a password; password_user() needs one.
class PgServer {
 public:
  explicit PgServer(PgServerOptions options = {});
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& user, const std::string& password,
                  const std::string& database) const;
  void create_database(const std::string& name);
  const std::string& password_user() const { return password_user_; }
  const std::string& password() const { return password_; }

 private:
  void write_config(const PgServerOptions& options);

  std::filesystem::path dir_;
  std::filesystem::path data_;
  int port_ = 0;
  std::string password_user_ = "sluice_pw_user";
  std::string password_ = "Right-Pa55word";
};

// One server per test process, started on first use.
PgServer& shared_pg_server();

}  // namespace sluice::test
