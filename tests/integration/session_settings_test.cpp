// Servers and roles configured with other session defaults than sluice's change nothing:
// a PostgreSQL role with its own DateStyle, TimeZone, IntervalStyle, bytea_output,
// extra_float_digits and client_encoding as source and sink, a MariaDB with another
// default time zone, and one that ignores the client's character set.

#include <gtest/gtest.h>

#include <chrono>

#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPinned =
    "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET "
    "IntervalStyle = 'postgres'; SET bytea_output = 'hex'; SET extra_float_digits = 3";

void run_until_caught_up(const std::string& file) {
  ProcessResult r =
      SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 120s);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
}

class PgSessionSettings : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_pg_server();
    name_ = pipeline_name_for_test("ss_");
    role_ = "odd_" + name_;
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    PgClient admin(server_->url("postgres", "", "postgres"));
    admin.exec("DROP ROLE IF EXISTS " + role_);
    admin.exec("CREATE ROLE " + role_ + " LOGIN SUPERUSER REPLICATION PASSWORD '" + kPassword +
               "'");
    source_ = std::make_unique<PgClient>(server_->url("postgres", "", "src_" + name_));
    sink_ = std::make_unique<PgClient>(server_->url("postgres", "", "dst_" + name_));
    source_->exec(kPinned);
    sink_->exec(kPinned);
  }

  void set_role_defaults(const std::vector<std::string>& settings) {
    PgClient admin(server_->url("postgres", "", "postgres"));
    for (const std::string& setting : settings)
      admin.exec("ALTER ROLE " + role_ + " SET " + setting);
  }

  // Snapshot rows, then streamed inserts and updates, each compared as text on pinned
  // connections.
  void expect_mirrored_as_is() {
    source_->exec(
        "CREATE TABLE odd (id int PRIMARY KEY, ts timestamptz, d date, iv interval, b bytea, f "
        "float8, t text); ALTER TABLE odd REPLICA IDENTITY FULL;"
        "INSERT INTO odd VALUES (1, '2024-03-04 05:06:07.5+02', '2024-01-02', '1 day -02:03:04', "
        "'\\x00ff5c27', 0.1::float8 + 0.2::float8, 'Grüße € 中文'), "
        "(2, NULL, NULL, NULL, NULL, NULL, NULL)");
    run_until_caught_up(pipeline());
    EXPECT_EQ(rows(*sink_, "mirror.odd"), rows(*source_, "public.odd"));

    source_->exec(
        "INSERT INTO odd VALUES (3, '1999-12-31 23:59:59.999999-08', '0044-03-15 BC', '-3 "
        "mons 2 days 01:00:00.25', '\\x0a0d', 1e-300::float8 / 3, 'naïve ‰ Ω');"
        "UPDATE odd SET ts = '2030-07-08 09:10:11+00', f = 2.0::float8 / 3, t = 'ẞ €' WHERE id = "
        "2");
    run_until_caught_up(pipeline());
    EXPECT_EQ(rows(*sink_, "mirror.odd"), rows(*source_, "public.odd"));
  }

  std::string pipeline() {
    return write_pipeline_file(
        name_,
        "name: " + name_ + "\nsource:\n  type: postgres\n  url: " +
            server_->url(role_, kPassword, "src_" + name_) +
            "\nsink:\n  type: postgres\n  url: " + server_->url(role_, kPassword, "dst_" + name_) +
            "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n");
  }

  std::vector<SqlRow> rows(PgClient& db, const std::string& table) {
    return db.query("SELECT id, ts::text, d::text, iv::text, b::text, f::text, t FROM " + table +
                    " ORDER BY id");
  }

  static constexpr const char* kPassword = "Odd-Pa55word";
  PgServer* server_ = nullptr;
  std::string name_;
  std::string role_;
  std::unique_ptr<PgClient> source_;
  std::unique_ptr<PgClient> sink_;
};

TEST_F(PgSessionSettings, RoleOutputStylesChangeNothingInSnapshotOrStream) {
  set_role_defaults({"DateStyle = 'SQL, DMY'", "TimeZone = 'America/New_York'",
                     "IntervalStyle = 'sql_standard'", "bytea_output = 'escape'",
                     "extra_float_digits = 0"});
  expect_mirrored_as_is();
}

TEST_F(PgSessionSettings, RoleClientEncodingChangesNoText) {
  set_role_defaults({"client_encoding = 'LATIN1'"});
  expect_mirrored_as_is();
}

TEST(MySqlSessionSettings, AnotherDefaultTimeZoneChangesNoTimestamp) {
  MariaDbServer server(MariaDbServerOptions{.extra_args = {"--default-time-zone=+05:00"}});
  server.create_database("shop");
  PgServer& warehouse = shared_pg_server();
  warehouse.create_database("dst_my_tz");
  MySqlClient shop(server.root_url("shop"));
  shop.exec(
      "SET time_zone = '+00:00'; CREATE TABLE events (id INT PRIMARY KEY, at TIMESTAMP(3) NULL) "
      "ENGINE=InnoDB; INSERT INTO events VALUES (1, '2024-05-06 07:08:09.123')");
  std::string file = write_pipeline_file(
      "my_tz",
      "name: my_tz\nsource:\n  type: mysql\n  url: " + server.root_url("shop") +
          "\nsink:\n  type: postgres\n  url: " + warehouse.url("postgres", "", "dst_my_tz") +
          "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n");
  run_until_caught_up(file);
  shop.exec("SET time_zone = '+00:00'; INSERT INTO events VALUES (2, '2024-12-31 23:30:00')");
  run_until_caught_up(file);
  PgClient sink(warehouse.url("postgres", "", "dst_my_tz"));
  sink.exec(kPinned);
  std::vector<SqlRow> got = sink.query("SELECT id::text, at::text FROM mirror.events ORDER BY id");
  std::vector<SqlRow> want = {{"1", "2024-05-06 07:08:09.123+00"}, {"2", "2024-12-31 23:30:00+00"}};
  EXPECT_EQ(got, want);
}

// With character_set_client_handshake=OFF the server gives every connection its own
// default (latin1 here) whatever the client asked for: names outside latin1 come back as
// '?' unless the session says SET NAMES.
TEST(MySqlSessionSettings, AServerIgnoringTheClientCharsetChangesNoName) {
  MariaDbServer server(MariaDbServerOptions{
      .extra_args = {"--skip-character-set-client-handshake", "--character-set-server=latin1",
                     "--collation-server=latin1_swedish_ci"}});
  server.create_database("shop");
  PgServer& warehouse = shared_pg_server();
  warehouse.create_database("dst_my_names");
  MySqlClient shop(server.root_url("shop"));
  shop.exec(
      "SET NAMES utf8mb4; CREATE TABLE notes (id INT PRIMARY KEY, `заметка` VARCHAR(40) "
      "CHARACTER SET utf8mb4, kind ENUM('да','нет') CHARACTER SET utf8mb4) ENGINE=InnoDB; "
      "INSERT INTO notes VALUES (1, 'Привет', 'да')");
  std::string file = write_pipeline_file(
      "my_names",
      "name: my_names\nsource:\n  type: mysql\n  url: " + server.root_url("shop") +
          "\nsink:\n  type: postgres\n  url: " + warehouse.url("postgres", "", "dst_my_names") +
          "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n");
  run_until_caught_up(file);
  shop.exec("SET NAMES utf8mb4; INSERT INTO notes VALUES (2, 'мир', 'нет')");
  run_until_caught_up(file);
  PgClient sink(warehouse.url("postgres", "", "dst_my_names"));
  std::vector<SqlRow> got =
      sink.query("SELECT id::text, \"заметка\", kind FROM mirror.notes ORDER BY id");
  std::vector<SqlRow> want = {{"1", "Привет", "да"}, {"2", "мир", "нет"}};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace sluice::test
