#include "harness/pg_server.hpp"

#include <fstream>

#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";
const std::string kServerUser = "postgres";

}  // namespace

PgServer::PgServer(PgServerOptions options) : dir_(make_subdir("pg")), data_(dir_ / "data") {
  give_to_user(dir_, kServerUser);
  std::filesystem::path log = dir_ / "setup.log";
  run_or_throw(as_user(kServerUser, {kBin + "initdb", "-D", data_.string(), "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"}),
               log);
  port_ = free_port();
  write_config(options);
  run_or_throw(as_user(kServerUser, {kBin + "pg_ctl", "-D", data_.string(), "-l",
                                     (dir_ / "server.log").string(), "-w", "-t", "60", "start"}),
               log);
  std::string as_server_user = running_as_root() ? "runuser -u " + kServerUser + " -- " : "";
  stop_when_this_process_dies(
      as_server_user + kBin + "pg_ctl -D '" + data_.string() + "' -m immediate stop",
      dir_ / "watchdog.log");
  PgClient(url("postgres", "", "postgres"))
      .exec("CREATE ROLE " + password_user_ + " LOGIN SUPERUSER REPLICATION PASSWORD '" +
            password_ + "'");
}

PgServer::~PgServer() {
  run_command(as_user(kServerUser,
                      {kBin + "pg_ctl", "-D", data_.string(), "-m", "immediate", "-w", "stop"}),
              dir_ / "setup.log");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void PgServer::write_config(const PgServerOptions& options) {
  std::ofstream conf(data_ / "postgresql.conf", std::ios::app);
  conf << "listen_addresses = '127.0.0.1'\n"
       << "port = " << port_ << "\n"
       << "unix_socket_directories = '" << dir_.string() << "'\n"
       << "wal_level = " << options.wal_level << "\n"
       << "max_wal_senders = 20\nmax_replication_slots = 20\nmax_connections = 200\n"
       // Durability of the test server itself is not under test: sluice's is.
       << "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n";
  for (const std::string& line : options.extra_config) conf << line << "\n";
  std::ofstream hba(data_ / "pg_hba.conf", std::ios::trunc);
  hba << "local all all trust\n"
      << "host all postgres 127.0.0.1/32 trust\n"
      << "host replication postgres 127.0.0.1/32 trust\n"
      << "host all all 127.0.0.1/32 scram-sha-256\n"
      << "host replication all 127.0.0.1/32 scram-sha-256\n";
}

std::string PgServer::url(const std::string& user, const std::string& password,
                          const std::string& database) const {
  std::string credentials = user + (password.empty() ? "" : ":" + password);
  return "postgresql://" + credentials + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PgServer::create_database(const std::string& name) {
  // Tests may run repeatedly in one process (--gtest_repeat): start from nothing.
  PgClient admin(url("postgres", "", "postgres"));
  admin.exec(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
      "database = '" +
      name + "'");
  admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  admin.exec("CREATE DATABASE " + name);
}

PgServer& shared_pg_server() {
  static PgServer server;
  return server;
}

}  // namespace sluice::test
