// MariaDB binlog events that were once passed over: compressed events (log_bin_compress),
// XA transactions, and ROLLBACK TO SAVEPOINT. Each test compares the warehouse with the
// source after sluice has caught up.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "harness/mariadb_server.hpp"
#include "harness/mysql_mirror_rows.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

constexpr const char* kItemColumns = "id, name, n";

class MySqlBinlogEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("my_");
    warehouse_->create_database("dst_" + name_);
    sink_ = std::make_unique<PgClient>(sink_url());
    use_server(shared_mariadb_server());
  }

  void use_server(MariaDbServer& server) {
    server_ = &server;
    server_->create_database("src_" + name_);
    source_ = std::make_unique<MySqlClient>(source_url());
  }

  std::string source_url() const { return server_->root_url("src_" + name_); }
  std::string sink_url() const { return warehouse_->url("postgres", "", "dst_" + name_); }

  std::string pipeline(int max_rows = 500, int64_t max_bytes = int64_t{64} << 20) {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: mysql\n  url: " + source_url() +
                   "\nsink:\n  type: postgres\n  url: " + sink_url() +
                   "\n  schema: mirror\nbatch: { max_rows: " + std::to_string(max_rows) +
                   ", max_bytes: " + std::to_string(max_bytes) + ", max_delay: 100ms }\n");
  }

  ProcessResult run_until_caught_up(int max_rows = 500, int64_t max_bytes = int64_t{64} << 20) {
    return SluiceProcess::run_to_completion(
        {"run", "-c", pipeline(max_rows, max_bytes), "--until-caught-up"}, 60s);
  }

  Rows source_rows(const std::string& table, const std::string& columns) {
    return mysql_rows(*source_, table, columns);
  }
  Rows mirror_rows(const std::string& table, const std::string& columns) {
    return test::mirror_rows(*sink_, table, columns);
  }
  void expect_same(const std::string& table, const std::string& columns) {
    expect_same_rows(*source_, *sink_, table, columns);
  }

  void create_items() {
    source_->exec(
        "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), n INT) ENGINE=InnoDB;"
        "INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)");
  }

  MariaDbServer* server_ = nullptr;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  std::unique_ptr<MySqlClient> source_;
  std::unique_ptr<PgClient> sink_;
};

// Row events above 10 bytes of row data and statements of 10 bytes or more are logged
// compressed: UPDATE/DELETE_ROWS_COMPRESSED and QUERY_COMPRESSED for the ALTER.
TEST_F(MySqlBinlogEvents, CompressedBinlogMirrorsUpdatesDeletesAndAddColumn) {
  MariaDbServer compressed(MariaDbServerOptions{
      .extra_args = {"--log-bin-compress=ON", "--log-bin-compress-min-len=10"}});
  use_server(compressed);
  source_->exec(
      "CREATE TABLE wide (id INT PRIMARY KEY, label VARCHAR(100), amount DECIMAL(12,2));"
      "INSERT INTO wide SELECT seq, CONCAT('label of row ', seq), seq * 1.5 FROM seq_1_to_3000");
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", pipeline()}, 30s);
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  ProcessResult snapshot = run_until_caught_up();
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.stderr_text;
  source_->exec(
      "UPDATE wide SET label = CONCAT(label, ' updated'), amount = amount + 1 WHERE id % 3 = 0;"
      "DELETE FROM wide WHERE id % 7 = 0;"
      "ALTER TABLE wide ADD COLUMN extra VARCHAR(40);"
      "UPDATE wide SET extra = CONCAT('extra ', id) WHERE id % 5 = 0;"
      "INSERT INTO wide SELECT seq, CONCAT('new row ', seq), 0, 'x' FROM seq_3001_to_3500;"
      "DELETE FROM wide WHERE id BETWEEN 1000 AND 1500");
  ProcessResult stream = run_until_caught_up();
  ASSERT_EQ(stream.exit_code, 0) << stream.stderr_text;
  expect_same("wide", "id, label, amount, extra");
}

TEST_F(MySqlBinlogEvents, XaCommitAppliesItsRowsAndUntilCaughtUpEnds) {
  create_items();
  ASSERT_EQ(run_until_caught_up().exit_code, 0);
  source_->exec(
      "XA START 'xa-commit'; INSERT INTO items VALUES (10, 'xa', 10);"
      "UPDATE items SET n = 100 WHERE id = 1; XA END 'xa-commit'; XA PREPARE 'xa-commit';"
      "XA COMMIT 'xa-commit'");
  ProcessResult r = run_until_caught_up();
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_same("items", kItemColumns);
}

TEST_F(MySqlBinlogEvents, XaRollbackDropsItsRows) {
  create_items();
  ASSERT_EQ(run_until_caught_up().exit_code, 0);
  source_->exec(
      "XA START 'xa-rollback'; INSERT INTO items VALUES (20, 'rolled back', 20);"
      "DELETE FROM items WHERE id = 2; XA END 'xa-rollback'; XA PREPARE 'xa-rollback';"
      "XA ROLLBACK 'xa-rollback';"
      "INSERT INTO items VALUES (21, 'after', 21)");
  ProcessResult r = run_until_caught_up();
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_same("items", kItemColumns);
}

// A prepared XA stays pending over other transactions and over a restart of sluice: the
// warehouse must not show its rows before its XA COMMIT, nor lose them after.
TEST_F(MySqlBinlogEvents, XaPreparedAcrossOtherTransactionsAndARestart) {
  create_items();
  ASSERT_EQ(run_until_caught_up().exit_code, 0);
  MySqlClient preparer(source_url());
  preparer.exec(
      "XA START 'xa-pending'; INSERT INTO items VALUES (30, 'pending', 30);"
      "UPDATE items SET name = 'by xa' WHERE id = 3; XA END 'xa-pending'; XA PREPARE 'xa-pending'");
  source_->exec(
      "INSERT INTO items VALUES (31, 'ordinary', 31);"
      "UPDATE items SET n = 11 WHERE id = 1;"
      "BEGIN; INSERT INTO items VALUES (32, 'ordinary', 32); DELETE FROM items WHERE id = 2; "
      "COMMIT");
  ProcessResult pending = run_until_caught_up();
  ASSERT_EQ(pending.exit_code, 0) << pending.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM mirror.items WHERE id = 30"), "0");
  EXPECT_EQ(sink_->scalar("SELECT name FROM mirror.items WHERE id = 3"), "three");
  source_->exec("INSERT INTO items VALUES (33, 'ordinary', 33)");
  preparer.exec("XA COMMIT 'xa-pending'");
  source_->exec("INSERT INTO items VALUES (34, 'after the xa', 34)");
  ProcessResult committed = run_until_caught_up();
  ASSERT_EQ(committed.exit_code, 0) << committed.stderr_text;
  expect_same("items", kItemColumns);
}

// MariaDB logs XA COMMIT ... ONE PHASE as an ordinary transaction.
TEST_F(MySqlBinlogEvents, XaCommitOnePhaseAppliesItsRows) {
  create_items();
  ASSERT_EQ(run_until_caught_up().exit_code, 0);
  source_->exec(
      "XA START 'xa-one'; INSERT INTO items VALUES (40, 'one phase', 40);"
      "UPDATE items SET n = NULL WHERE id = 2; XA END 'xa-one'; XA COMMIT 'xa-one' ONE PHASE");
  ProcessResult r = run_until_caught_up();
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_same("items", kItemColumns);
}

// The server logs ROLLBACK TO (instead of cutting the rolled-back rows from the
// transaction) when the transaction changed a non-transactional table: the InnoDB rows
// between SAVEPOINT and ROLLBACK TO are in the binlog, and undone.
TEST_F(MySqlBinlogEvents, RollbackToSavepointUndoesTheRowsAfterIt) {
  create_items();
  source_->exec("CREATE TABLE notes (id INT PRIMARY KEY, text VARCHAR(50)) ENGINE=MyISAM");
  ASSERT_EQ(run_until_caught_up().exit_code, 0);
  source_->exec(
      "BEGIN; INSERT INTO items VALUES (50, 'kept', 50); SAVEPOINT s;"
      "INSERT INTO items VALUES (51, 'undone', 51); UPDATE items SET n = 0 WHERE id = 1;"
      "INSERT INTO notes VALUES (1, 'not transactional');"
      "ROLLBACK TO SAVEPOINT s; INSERT INTO items VALUES (52, 'kept too', 52); COMMIT;"
      // A savepoint before the transaction's first row, and two of them.
      "BEGIN; SAVEPOINT first; INSERT INTO items VALUES (53, 'undone', 53);"
      "SAVEPOINT second; INSERT INTO items VALUES (54, 'undone', 54);"
      "INSERT INTO notes VALUES (2, 'not transactional'); ROLLBACK TO first;"
      "INSERT INTO items VALUES (55, 'kept', 55); COMMIT");
  ProcessResult r = run_until_caught_up();
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_same("items", kItemColumns);
  expect_same("notes", "id, text");
}

// A rolled-back transaction larger than a batch has partly gone to the warehouse (not
// committed) when its ROLLBACK arrives: sluice stops with advice, and nothing of it stays.
TEST_F(MySqlBinlogEvents, RollbackOfATransactionLargerThanABatchStopsWithAdvice) {
  create_items();
  source_->exec("CREATE TABLE notes (id INT PRIMARY KEY, text VARCHAR(50)) ENGINE=MyISAM");
  ASSERT_EQ(run_until_caught_up().exit_code, 0);
  source_->exec(
      "BEGIN; INSERT INTO items VALUES (99, 'kept', 99); SAVEPOINT s;"
      "INSERT INTO items SELECT seq, 'rolled back', seq FROM seq_100_to_1100;"
      "INSERT INTO notes VALUES (1, 'not transactional'); ROLLBACK TO s; COMMIT;"
      "INSERT INTO items VALUES (4, 'after', 4)");
  ProcessResult stopped = run_until_caught_up();
  EXPECT_EQ(stopped.exit_code, 1) << stopped.stderr_text;
  EXPECT_NE(stopped.stderr_text.find("raise batch.max_rows and batch.max_bytes above"),
            std::string::npos)
      << stopped.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM mirror.items"), "3");
  ProcessResult r = run_until_caught_up(5000);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_same("items", kItemColumns);
  expect_same("notes", "id, text");
}

// The same with a batch closed by its bytes, far below batch.max_rows: the rows passed
// to the warehouse before the ROLLBACK are counted by batch.max_bytes too.
TEST_F(MySqlBinlogEvents, RollbackOfATransactionLargerThanMaxBytesStopsWithAdvice) {
  create_items();
  source_->exec("CREATE TABLE notes (id INT PRIMARY KEY, text VARCHAR(50)) ENGINE=MyISAM");
  ASSERT_EQ(run_until_caught_up(100000, 4096).exit_code, 0);
  source_->exec(
      "BEGIN; INSERT INTO items VALUES (99, 'kept', 99); SAVEPOINT s;"
      "INSERT INTO items SELECT seq, 'rolled back', seq FROM seq_100_to_1100;"
      "INSERT INTO notes VALUES (1, 'not transactional'); ROLLBACK TO s; COMMIT;"
      "INSERT INTO items VALUES (4, 'after', 4)");
  ProcessResult stopped = run_until_caught_up(100000, 4096);
  EXPECT_EQ(stopped.exit_code, 1) << stopped.stderr_text;
  EXPECT_NE(stopped.stderr_text.find("batch.max_bytes 4096 bytes"), std::string::npos)
      << stopped.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM mirror.items"), "3");
  ProcessResult r = run_until_caught_up(100000, int64_t{64} << 20);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_same("items", kItemColumns);
  expect_same("notes", "id, text");
}

}  // namespace
}  // namespace sluice::test
