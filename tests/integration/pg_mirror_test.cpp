// PostgreSQL -> PostgreSQL mirror against real servers: snapshot handoff, streaming of
// every operation, exact types, crashes, dropped connections, and the operator commands.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "harness/background_load.hpp"
#include "harness/checksum.hpp"
#include "harness/pg_databases.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// Each test gets its own source and warehouse databases on the shared server.
class PgMirror : public PgDatabasesTest {
 protected:
  PgMirror() : PgDatabasesTest("m_") {}

  std::string pipeline(const std::string& extra = "", const std::string& sink_type = "postgres") {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: postgres\n  url: " + source_url() +
                   "\nsink:\n  type: " + sink_type + "\n  url: " + sink_url() +
                   "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n" + extra);
  }

  void run_until_caught_up(const std::string& file) {
    ProcessResult r =
        SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 180s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }

  void expect_same(const std::string& table, const std::string& key) {
    TableChecksum want = table_checksum(*source_, "public." + table, {key});
    TableChecksum got = table_checksum(*sink_, "mirror." + table, {key});
    EXPECT_EQ(got.rows, want.rows) << table;
    EXPECT_EQ(got.checksum, want.checksum) << table;
  }
};

// Random inserts, updates (some moving the key) and deletes in transactions of 1 to 20
// statements, until stopped.
class WriteLoad : public BackgroundLoad {
 public:
  WriteLoad(const std::string& url, uint32_t seed)
      : db_(url), rng_(seed), next_id_(1000000 + static_cast<int>(seed) * 100000) {}
  ~WriteLoad() override { stop(); }

 private:
  void run_transaction() override {
    db_.exec("BEGIN");
    int statements = 1 + static_cast<int>(rng_() % 20);
    for (int i = 0; i < statements; ++i) {
      int id = static_cast<int>(rng_() % 2000) + 1;
      switch (rng_() % 6) {
        case 0:
        case 1:
          db_.exec("INSERT INTO orders (id, customer, amount, note) VALUES (" +
                   std::to_string(next_id_++) + ", " + std::to_string(rng_() % 100) +
                   ", 12.34, E'new\\tline\\n')");
          break;
        case 2:
        case 3:
          db_.exec("UPDATE orders SET amount = amount + 1, note = note || 'u' WHERE id = " +
                   std::to_string(id));
          break;
        case 4:
          db_.exec("DELETE FROM orders WHERE id = " + std::to_string(id));
          break;
        case 5:
          db_.exec("UPDATE customers SET name = name || '!' WHERE id = " +
                   std::to_string(rng_() % 100));
          break;
      }
    }
    db_.exec("COMMIT");
  }

  PgClient db_;
  std::mt19937 rng_;
  int next_id_;
};

void create_load_tables(PgClient& db, int orders) {
  db.exec(
      "CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric(12,2), note text);"
      "CREATE TABLE customers (id int PRIMARY KEY, name text);"
      "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(0, 99) g;"
      "INSERT INTO orders SELECT g, g % 100, g * 0.5, 'order ' || g FROM generate_series(1, " +
      std::to_string(orders) + ") g;");
}

TEST_F(PgMirror, SnapshotHandsOverToStreamingUnderConcurrentWrites) {
  create_load_tables(*source_, 200000);
  WriteLoad load(source_url(), 1);
  load.start();
  SluiceProcess sluice({"run", "-c", pipeline()});
  std::this_thread::sleep_for(4s);
  load.stop();
  ASSERT_GT(load.transactions(), 10u);
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(60s), 0) << sluice.stderr_text();
  run_until_caught_up(pipeline());
  expect_same("orders", "id");
  expect_same("customers", "id");
}

TEST_F(PgMirror, EveryOperationLandsIncludingKeyMovesTruncateAndToast) {
  source_->exec(
      "CREATE TABLE items (id int PRIMARY KEY, body text, n int);"
      "CREATE TABLE full_identity (id int PRIMARY KEY, v text);"
      "ALTER TABLE full_identity REPLICA IDENTITY FULL;"
      "CREATE TABLE wiped (id int PRIMARY KEY, v text);"
      "INSERT INTO items SELECT g, 'small', 0 FROM generate_series(1, 10) g;"
      "INSERT INTO full_identity VALUES (1, 'a'), (2, 'b');"
      "INSERT INTO wiped VALUES (1, 'x');");
  run_until_caught_up(pipeline());
  // A body too big and random to stay inline: PostgreSQL stores it out of line (TOAST)
  // and sends it as "unchanged" when an update does not touch it.
  source_->exec(
      "UPDATE items SET body = (SELECT string_agg(md5(random()::text), '') FROM "
      "generate_series(1, 500)) WHERE id <= 3;"
      "UPDATE items SET n = n + 1;"
      "BEGIN; INSERT INTO items VALUES (11, (SELECT string_agg(md5(random()::text), '') FROM "
      "generate_series(1, 500)), 0); UPDATE items SET n = 7 WHERE id = 11; COMMIT;"
      "UPDATE items SET id = 100 WHERE id = 4;"
      "DELETE FROM items WHERE id = 5;"
      "UPDATE full_identity SET v = 'changed' WHERE id = 1;"
      "DELETE FROM full_identity WHERE id = 2;"
      "TRUNCATE wiped; INSERT INTO wiped VALUES (2, 'after truncate');");
  run_until_caught_up(pipeline());
  expect_same("items", "id");
  expect_same("full_identity", "id");
  expect_same("wiped", "id");
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM mirror.items WHERE length(body) = 16000"), "4");
}

TEST_F(PgMirror, TypesRoundTripExactly) {
  source_->exec(
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
      "CREATE TABLE typed (id bigint PRIMARY KEY, i2 smallint, i4 int, i8 bigint, "
      "num numeric(30,10), num_free numeric, f4 real, f8 double precision, t text, vc varchar(20), "
      "ch char(5), b bytea, j json, jb jsonb, ai int[], at text[], ts timestamp(6), "
      "tstz timestamptz, d date, tm time, iv interval, u uuid, m mood, bo boolean, inet_v inet)");
  std::string rows =
      "INSERT INTO typed VALUES "
      "(1, -32768, -2147483648, -9223372036854775808, -12345678901234567890.0123456789, "
      "'NaN', '-Infinity', 1.0000000000000002, E'tab\\there\\nnew line\\\\back \\u00fc "
      "\\U0001F600', "
      "'varchar', 'ab', '\\x00ff00', '{\"a\": [1, 2]}', '{\"b\": null}', '{1,NULL,3}', "
      "'{\"with space\",\"quote\\\"\"}', '2021-08-15 10:00:00.123456', "
      "'2021-08-15 10:00:00.5+02', '0001-01-01', '24:00:00', '1 year 2 mons -3 days', "
      "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', true, '10.1.2.3/8'),"
      "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
      "(3, 32767, 2147483647, 9223372036854775807, 0.0000000001, 1e-20, 3.4e38, -1e308, '', '', "
      "'', '', '[]', '{}', '{}', '{}', 'infinity', '-infinity', '9999-12-31', '00:00:00', '0', "
      "'00000000-0000-0000-0000-000000000000', 'sad', false, '::1')";
  source_->exec(rows);
  run_until_caught_up(pipeline());
  // The same rows again through streaming instead of the snapshot.
  source_->exec("UPDATE typed SET id = id + 10");
  source_->exec(rows);
  run_until_caught_up(pipeline());
  std::string row_text = "SELECT string_agg(r::text, E'\\n' ORDER BY id) FROM {} r";
  auto all_rows = [&](PgClient& db, const std::string& table) {
    std::string sql = row_text;
    sql.replace(sql.find("{}"), 2, table);
    return db.scalar(sql);
  };
  EXPECT_EQ(all_rows(*sink_, "mirror.typed"), all_rows(*source_, "public.typed"));
  EXPECT_EQ(sink_->scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                          "attrelid = 'mirror.typed'::regclass AND attname = 'num'"),
            "numeric(30,10)");
}

TEST_F(PgMirror, KillNineAtRandomMomentsLosesAndDuplicatesNothing) {
  create_load_tables(*source_, 20000);
  WriteLoad load(source_url(), 2);
  load.start();
  std::mt19937 rng(42);
  for (int round = 0; round < 10; ++round) {
    SluiceProcess sluice({"run", "-c", pipeline()});
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1500));
    sluice.kill(SIGKILL);
    sluice.wait(10s);
  }
  load.stop();
  run_until_caught_up(pipeline());
  expect_same("orders", "id");
  expect_same("customers", "id");
}

TEST_F(PgMirror, SurvivesTerminatedSourceAndSinkConnections) {
  create_load_tables(*source_, 1000);
  SluiceProcess sluice({"run", "-c", pipeline()});
  WriteLoad load(source_url(), 3);
  load.start();
  PgClient admin(server_->url("postgres", "", "postgres"));
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(1500ms);
    admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
        "'sluice' AND datname IN ('src_" +
        name_ + "', 'dst_" + name_ + "')");
  }
  std::this_thread::sleep_for(1s);
  load.stop();
  ASSERT_FALSE(sluice.exited()) << sluice.stderr_text();
  // The running pipeline catches up by itself.
  TableChecksum want = table_checksum(*source_, "public.orders", {"id"});
  bool equal = false;
  for (int i = 0; i < 300 && !equal; ++i) {
    std::this_thread::sleep_for(100ms);
    equal = table_checksum(*sink_, "mirror.orders", {"id"}).checksum == want.checksum;
  }
  EXPECT_TRUE(equal) << sluice.stderr_text();
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(30s), 0);
  EXPECT_NE(sluice.stderr_text().find("reconnecting"), std::string::npos);
}

// The Redshift dialect (INSERT-loaded staging, ROW_NUMBER fold, delete-then-insert)
// speaks SQL that PostgreSQL also runs, given Redshift's GETDATE().
TEST_F(PgMirror, RedshiftDialectLandsEveryOperationAcrossACrash) {
  sink_->exec(
      "CREATE FUNCTION getdate() RETURNS timestamp LANGUAGE sql AS 'SELECT now()::timestamp'");
  create_load_tables(*source_, 3000);
  source_->exec(
      "CREATE TABLE items (id int PRIMARY KEY, body text, n int);"
      "INSERT INTO items SELECT g.g, (SELECT string_agg(md5(random()::text || g.g || s), '') FROM "
      "generate_series(1, 500) s), 0 FROM generate_series(1, 5) g;");
  std::string file = pipeline("", "redshift");
  run_until_caught_up(file);
  WriteLoad load(source_url(), 4);
  load.start();
  {
    SluiceProcess sluice({"run", "-c", file});
    std::this_thread::sleep_for(2500ms);
    sluice.kill(SIGKILL);
    sluice.wait(10s);
  }
  load.stop();
  source_->exec(
      "UPDATE items SET n = n + 1; DELETE FROM items WHERE id = 2; TRUNCATE customers;"
      "INSERT INTO customers VALUES (7, 'back')");
  run_until_caught_up(file);
  expect_same("orders", "id");
  expect_same("customers", "id");
  expect_same("items", "id");
  EXPECT_EQ(sink_->scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                          "attrelid = 'mirror.orders'::regclass AND attname = 'note'"),
            "character varying(65535)");
}

TEST_F(PgMirror, StatusAndResetStartOver) {
  create_load_tables(*source_, 100);
  run_until_caught_up(pipeline());
  ProcessResult status = SluiceProcess::run_to_completion({"status", "-c", pipeline()}, 30s);
  EXPECT_EQ(status.exit_code, 0) << status.stderr_text;
  EXPECT_NE(status.stdout_text.find("applied up to pg:"), std::string::npos) << status.stdout_text;
  ProcessResult reset = SluiceProcess::run_to_completion({"reset", "-c", pipeline()}, 30s);
  EXPECT_EQ(reset.exit_code, 0) << reset.stderr_text;
  EXPECT_EQ(source_->scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sluice_" +
                            name_ + "'"),
            "0");
  source_->exec("DELETE FROM orders WHERE id <= 50");
  // A reset pipeline snapshots again: rows deleted meanwhile disappear from the mirror.
  run_until_caught_up(pipeline());
  expect_same("orders", "id");
}

}  // namespace
}  // namespace sluice::test
