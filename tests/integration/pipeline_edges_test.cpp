// Edges of a run against real servers: source tables of one name in two namespaces, ends
// that cannot be reached, the final acknowledgement of --until-caught-up, and a stop
// during the snapshot.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "harness/checksum.hpp"
#include "harness/mariadb_server.hpp"
#include "harness/pg_databases.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string last_line(const std::string& text) {
  std::string line;
  std::istringstream in(text);
  for (std::string next; std::getline(in, next);)
    if (!next.empty()) line = next;
  return line;
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Each test gets its own source and warehouse databases on the shared PostgreSQL.
// Starts `sluice run -c file`, sends SIGTERM once the snapshot copy has begun, and expects
// a clean exit that says the snapshot was stopped, not completed.
void stop_during_snapshot(const std::string& file) {
  SluiceProcess sluice({"run", "-c", file});
  auto give_up = std::chrono::steady_clock::now() + 120s;
  while (sluice.stderr_text().find("copying 1 tables") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up && !sluice.exited())
    std::this_thread::sleep_for(20ms);
  ASSERT_NE(sluice.stderr_text().find("copying 1 tables"), std::string::npos)
      << sluice.stderr_text();
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(120s), 0) << sluice.stderr_text();
  EXPECT_EQ(sluice.stderr_text().find("snapshot complete"), std::string::npos)
      << sluice.stderr_text();
  EXPECT_NE(sluice.stderr_text().find("stopped during the snapshot"), std::string::npos)
      << sluice.stderr_text();
}

class PgEdges : public PgDatabasesTest {
 protected:
  PgEdges() : PgDatabasesTest("e_") {}

  std::string pipeline(const std::string& source_extra, const std::string& source_url,
                       const std::string& sink_url, const std::string& sink_extra = "") {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: postgres\n  url: " + source_url + "\n" +
                   source_extra + "sink:\n  type: postgres\n  url: " + sink_url +
                   "\n  schema: mirror\n" + sink_extra +
                   "batch: { max_rows: 500, max_delay: 100ms }\n");
  }
  std::string pipeline(const std::string& source_extra = "") {
    return pipeline(source_extra, source_url(), sink_url());
  }

  ProcessResult run_until_caught_up(const std::string& file) {
    return SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 180s);
  }

  void expect_same(const std::string& source_table, const std::string& mirror_table) {
    TableChecksum want = table_checksum(*source_, source_table, {"id"});
    TableChecksum got = table_checksum(*sink_, mirror_table, {"id"});
    EXPECT_EQ(got.rows, want.rows) << source_table;
    EXPECT_EQ(got.checksum, want.checksum) << source_table;
  }

  void create_two_users_tables() {
    source_->exec(
        "CREATE SCHEMA auth;"
        "CREATE TABLE public.users (id int PRIMARY KEY, name text);"
        "CREATE TABLE auth.users (id int PRIMARY KEY, login text, admin boolean);"
        "INSERT INTO public.users SELECT g, 'customer ' || g FROM generate_series(1, 300) g;"
        "INSERT INTO auth.users SELECT g, 'login ' || g, g % 7 = 0 FROM generate_series(1, 50) g;");
  }
};

TEST_F(PgEdges, TablesOfOneNameInTwoSchemasAreRefusedAtStart) {
  create_two_users_tables();
  ProcessResult r = run_until_caught_up(pipeline("  tables: [public.users, auth.users]\n"));
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  EXPECT_EQ(last_line(r.stderr_text),
            "sluice: source tables public.users and auth.users would both land in warehouse table "
            "mirror.users; give one another name in source.tables, e.g. `- auth.users: "
            "auth_users`")
      << r.stderr_text;
  EXPECT_EQ(count_of(r.stderr_text, "sluice: "), 1u) << r.stderr_text;
  // Refused before anything was created on either side.
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'users'"), "0");
  EXPECT_EQ(source_->scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = "
                            "'sluice_" +
                            name_ + "'"),
            "0");
}

TEST_F(PgEdges, CheckReportsTablesOfOneNameInTwoSchemas) {
  create_two_users_tables();
  std::string file = pipeline("  tables: [public.users, auth.users]\n");
  ProcessResult r = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stdout_text.find(file + ": source tables public.users and auth.users would both "
                                      "land in warehouse table mirror.users"),
            std::string::npos)
      << r.stdout_text;
}

TEST_F(PgEdges, MappedTablesOfOneNameLandApart) {
  create_two_users_tables();
  std::string file = pipeline("  tables:\n    - public.users\n    - auth.users: auth_users\n");
  ProcessResult first = run_until_caught_up(file);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  expect_same("public.users", "mirror.users");
  expect_same("auth.users", "mirror.auth_users");

  source_->exec(
      "INSERT INTO public.users VALUES (1001, 'late');"
      "UPDATE auth.users SET admin = NOT admin WHERE id <= 10;"
      "DELETE FROM auth.users WHERE id = 49;"
      "INSERT INTO auth.users VALUES (1001, 'late login', true);"
      "TRUNCATE public.users;"
      "INSERT INTO public.users VALUES (7, 'after truncate');");
  ProcessResult second = run_until_caught_up(file);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  expect_same("public.users", "mirror.users");
  expect_same("auth.users", "mirror.auth_users");
}

TEST_F(PgEdges, UnreachableSourceGivesUpAfterConnectTimeout) {
  int port = free_port();
  std::string url = "postgresql://repl:Unreached-Secret-1@127.0.0.1:" + std::to_string(port) + "/x";
  std::string file = pipeline("  connect_timeout: 2s\n", url, sink_url());
  std::string expected =
      "sluice: source: cannot connect to 127.0.0.1:" + std::to_string(port) +
      " for 2 s (source.connect_timeout): connection to server at \"127.0.0.1\", port " +
      std::to_string(port) + " failed: Connection refused";
  for (bool until_caught_up : {true, false}) {
    std::vector<std::string> args = {"run", "-c", file};
    if (until_caught_up) args.emplace_back("--until-caught-up");
    ProcessResult r = SluiceProcess::run_to_completion(args, 120s);
    EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
    EXPECT_TRUE(last_line(r.stderr_text).starts_with(expected)) << r.stderr_text;
    EXPECT_EQ(r.stderr_text.find("Unreached-Secret-1"), std::string::npos) << r.stderr_text;
  }
}

TEST_F(PgEdges, UnreachableSinkGivesUpAfterConnectTimeout) {
  int port = free_port();
  std::string url =
      "postgresql://loader:Unreached-Secret-2@127.0.0.1:" + std::to_string(port) + "/x";
  std::string file = pipeline("", source_url(), url, "  connect_timeout: 2s\n");
  std::string expected = "sluice: sink: cannot connect to 127.0.0.1:" + std::to_string(port) +
                         " for 2 s (sink.connect_timeout): connection to server at \"127.0.0.1\"";
  for (bool until_caught_up : {true, false}) {
    std::vector<std::string> args = {"run", "-c", file};
    if (until_caught_up) args.emplace_back("--until-caught-up");
    ProcessResult r = SluiceProcess::run_to_completion(args, 120s);
    EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
    EXPECT_TRUE(last_line(r.stderr_text).starts_with(expected)) << r.stderr_text;
    EXPECT_EQ(r.stderr_text.find("Unreached-Secret-2"), std::string::npos) << r.stderr_text;
  }
}

// The slot's confirmed position is what the server keeps WAL for and resends from: after
// an --until-caught-up run it must have reached the warehouse checkpoint.
TEST_F(PgEdges, UntilCaughtUpConfirmsTheCheckpointToTheSlot) {
  source_->exec(
      "CREATE TABLE items (id int PRIMARY KEY, note text);"
      "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g;");
  std::string file = pipeline();
  ProcessResult first = run_until_caught_up(file);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  for (int tx = 0; tx < 3; ++tx)
    source_->exec("INSERT INTO items SELECT g, 'later' FROM generate_series(" +
                  std::to_string(1000 * (tx + 1)) + ", " + std::to_string(1000 * (tx + 1) + 99) +
                  ") g");
  ProcessResult second = run_until_caught_up(file);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  expect_same("public.items", "mirror.items");

  std::string checkpoint = sink_->scalar(
      "SELECT substr(position, 4) FROM mirror.sluice_checkpoint WHERE pipeline = '" + name_ + "'");
  ASSERT_FALSE(checkpoint.empty());
  std::string confirmed = source_->scalar(
      "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'sluice_" + name_ +
      "'");
  EXPECT_EQ(source_->scalar("SELECT '" + confirmed + "'::pg_lsn >= '" + checkpoint + "'::pg_lsn"),
            "t")
      << "confirmed_flush_lsn " << confirmed << ", checkpoint " << checkpoint;
}

TEST_F(PgEdges, StopDuringSnapshotEndsItAndTheNextRunTakesItAgain) {
  source_->exec(
      "CREATE TABLE big (id int PRIMARY KEY, note text);"
      "INSERT INTO big SELECT g, 'row number ' || g FROM generate_series(1, 2500000) g;");
  std::string file = pipeline();
  stop_during_snapshot(file);
  if (::testing::Test::HasFatalFailure()) return;

  source_->exec("UPDATE big SET note = 'changed' WHERE id % 1000 = 0");
  ProcessResult next = run_until_caught_up(file);
  ASSERT_EQ(next.exit_code, 0) << next.stderr_text;
  expect_same("public.big", "mirror.big");
}

// Two MariaDB databases on the shared server, each with a `users` table.
class MySqlEdges : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_mariadb_server();
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("e_");
    server_->create_database("src_" + name_);
    server_->create_database("oth_" + name_);
    warehouse_->create_database("dst_" + name_);
    sink_ = std::make_unique<PgClient>(sink_url());
  }

  std::string sink_url() const { return warehouse_->url("postgres", "", "dst_" + name_); }

  std::string pipeline(const std::string& source_url, const std::string& source_extra) {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: mysql\n  url: " + source_url + "\n" +
                   source_extra + "sink:\n  type: postgres\n  url: " + sink_url() +
                   "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n");
  }

  void create_users(MySqlClient& db, const std::string& database, int rows) {
    db.exec("CREATE TABLE `" + database + "`.users (id int PRIMARY KEY, name varchar(40))");
    for (int i = 1; i <= rows; ++i)
      db.exec("INSERT INTO `" + database + "`.users VALUES (" + std::to_string(i) + ", '" +
              database + " " + std::to_string(i) + "')");
  }

  std::string mirror_names(const std::string& table) {
    std::string out;
    for (const SqlRow& row : sink_->query("SELECT name FROM mirror." + table + " ORDER BY id"))
      out += row[0].value_or("NULL") + ";";
    return out;
  }

  MariaDbServer* server_ = nullptr;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  std::unique_ptr<PgClient> sink_;
};

TEST_F(MySqlEdges, TablesOfOneNameInTwoDatabases) {
  MySqlClient db(server_->root_url("src_" + name_));
  std::string src = "src_" + name_;
  std::string other = "oth_" + name_;
  create_users(db, src, 3);
  create_users(db, other, 2);

  ProcessResult refused = SluiceProcess::run_to_completion(
      {"run", "-c", pipeline(server_->root_url(src), "  tables: [users, " + other + ".users]\n"),
       "--until-caught-up"},
      120s);
  EXPECT_EQ(refused.exit_code, 2) << refused.stderr_text;
  // The MySQL source keeps its tables sorted by qualified name.
  EXPECT_NE(last_line(refused.stderr_text)
                .find(": source tables " + other + ".users and " + src +
                      ".users would both land in warehouse table mirror.users; give one another "
                      "name in source.tables, e.g. `- " +
                      src + ".users: " + src + "_users`"),
            std::string::npos)
      << refused.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'users'"), "0");

  std::string file = pipeline(server_->root_url(src),
                              "  tables:\n    - users\n    - " + other + ".users: other\n");
  ProcessResult first =
      SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 120s);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  db.exec("INSERT INTO `" + other +
          "`.users VALUES (3, 'streamed');"
          "UPDATE `" +
          src + "`.users SET name = 'changed' WHERE id = 1");
  ProcessResult second =
      SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 120s);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_EQ(mirror_names("users"), "changed;" + src + " 2;" + src + " 3;");
  EXPECT_EQ(mirror_names("other"), other + " 1;" + other + " 2;streamed;");
}

TEST_F(MySqlEdges, StopDuringSnapshotEndsItAndTheNextRunTakesItAgain) {
  std::string src = "src_" + name_;
  MySqlClient db(server_->root_url(src));
  db.exec(
      "CREATE TABLE big (id int PRIMARY KEY, note varchar(40));"
      "INSERT INTO big SELECT seq, CONCAT('row number ', seq) FROM seq_1_to_2000000");
  std::string file = pipeline(server_->root_url(src), "");
  stop_during_snapshot(file);
  if (::testing::Test::HasFatalFailure()) return;

  db.exec("UPDATE big SET note = 'changed' WHERE id % 1000 = 0");
  ProcessResult next =
      SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 300s);
  ASSERT_EQ(next.exit_code, 0) << next.stderr_text;
  std::string summary = "COUNT(*), SUM(id), SUM(LENGTH(note)), SUM(note = 'changed')";
  EXPECT_EQ(sink_->scalar("SELECT concat_ws(',', COUNT(*), SUM(id), SUM(LENGTH(note)), "
                          "SUM((note = 'changed')::int)) FROM mirror.big"),
            db.scalar("SELECT CONCAT_WS(',', " + summary + ") FROM big"));
}

// A server of its own, stopped before sluice starts and started while sluice retries.
TEST(MySqlEdgesOwnServer, SourceComingUpWithinConnectTimeoutIsFine) {
  MariaDbServer server;
  std::string name = pipeline_name_for_test("e_");
  server.create_database("shop");
  {
    MySqlClient db(server.root_url("shop"));
    db.exec(
        "CREATE TABLE orders (id int PRIMARY KEY, note varchar(20));"
        "INSERT INTO orders VALUES (1, 'one'), (2, 'two')");
  }
  PgServer& warehouse = shared_pg_server();
  warehouse.create_database("dst_" + name);
  std::string file = write_pipeline_file(
      name, "name: " + name + "\nsource:\n  type: mysql\n  url: " + server.root_url("shop") +
                "\n  connect_timeout: 5m\nsink:\n  type: postgres\n  url: " +
                warehouse.url("postgres", "", "dst_" + name) + "\n  schema: mirror\n");
  server.stop();
  SluiceProcess sluice({"run", "-c", file, "--until-caught-up"});
  auto give_up = std::chrono::steady_clock::now() + 60s;
  while (sluice.stderr_text().find("cannot connect") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up && !sluice.exited())
    std::this_thread::sleep_for(50ms);
  server.start();
  EXPECT_EQ(sluice.wait(180s), 0) << sluice.stderr_text();
  PgClient sink(warehouse.url("postgres", "", "dst_" + name));
  EXPECT_EQ(sink.scalar("SELECT string_agg(note, ',' ORDER BY id) FROM mirror.orders"), "one,two");
}

}  // namespace
}  // namespace sluice::test
