// Flow state on disk, from PostgreSQL and MariaDB sources: what happens to the source while
// sluice is stopped or killed (rows leaving the filter, keys moving, columns added) must
// reach the warehouse exactly, a restart must not read the source tables again, and a kill
// at each commit point must end equal to the source.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Rows = std::vector<SqlRow>;

// Orders that are not cancelled, with their customer's name: a filter, a lookup, and a
// key every test can move.
constexpr const char* kFlowSql =
    "      SELECT o.order_id, o.status, o.amount, o.customer_id, c.name\n"
    "      FROM orders o\n"
    "      LEFT JOIN customer c ON c.customer_id = o.customer_id\n"
    "      WHERE o.status <> 'cancelled'\n";

constexpr const char* kOracleSql =
    "SELECT o.order_id, o.status, o.amount, o.customer_id, c.name FROM orders o "
    "LEFT JOIN customer c ON c.customer_id = o.customer_id WHERE o.status <> 'cancelled' "
    "ORDER BY o.order_id";

constexpr const char* kDestinationSql =
    "SELECT order_id, status, amount, customer_id, name FROM live_orders ORDER BY order_id";

std::string values_of(std::initializer_list<std::string> cells) {
  std::string text = "(";
  for (const std::string& cell : cells) text += (text.size() > 1 ? "," : "") + cell;
  return text + ")";
}

std::string scenario_sql() {
  std::string sql =
      "CREATE TABLE customer (customer_id int PRIMARY KEY, name varchar(40), phone varchar(40));"
      "CREATE TABLE orders (order_id int PRIMARY KEY, customer_id int, status varchar(20), "
      "amount int);"
      "INSERT INTO customer VALUES ";
  for (int c = 1; c <= 50; ++c)
    sql +=
        (c > 1 ? "," : "") + values_of({std::to_string(c), "'Customer " + std::to_string(c) + "'",
                                        "'555-01" + std::to_string(c) + "'"});
  sql += ";INSERT INTO orders VALUES ";
  for (int o = 1; o <= 300; ++o) {
    const char* status = o % 7 == 0 ? "'cancelled'" : o % 2 == 0 ? "'shipped'" : "'open'";
    sql += (o > 1 ? "," : "") + values_of({std::to_string(o), std::to_string(o % 50 + 1), status,
                                           std::to_string(10 + o)});
  }
  return sql + ";";
}

// One source database of either kind, with what the tests need of it.
class SourceDb {
 public:
  virtual ~SourceDb() = default;
  virtual std::string type() const = 0;
  virtual std::string url() const = 0;
  virtual void exec(const std::string& sql) = 0;
  virtual Rows query(const std::string& sql) = 0;
  // Ends the server side of sluice's replication connection (the walsender, the binlog dump).
  virtual void drop_replication_connection() = 0;
};

class PgSource : public SourceDb {
 public:
  explicit PgSource(const std::string& database)
      : url_(shared_pg_server().url("postgres", "", database)), db_(url_) {}
  std::string type() const override { return "postgres"; }
  std::string url() const override { return url_; }
  void exec(const std::string& sql) override { db_.exec(sql); }
  Rows query(const std::string& sql) override { return db_.query(sql); }
  void drop_replication_connection() override {
    db_.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
  }

 private:
  std::string url_;
  PgClient db_;
};

class MariaDbSource : public SourceDb {
 public:
  explicit MariaDbSource(const std::string& database)
      : url_(shared_mariadb_server().root_url(database)), db_(url_) {}
  std::string type() const override { return "mysql"; }
  std::string url() const override { return url_; }
  void exec(const std::string& sql) override { db_.exec(sql); }
  Rows query(const std::string& sql) override {
    std::vector<MySqlRow> rows = db_.query(sql);
    return Rows(rows.begin(), rows.end());
  }
  void drop_replication_connection() override {
    for (const MySqlRow& row : db_.query(
             "SELECT id FROM information_schema.processlist WHERE command LIKE 'Binlog Dump%'"))
      db_.exec("KILL " + row[0].value_or("0"));
  }

 private:
  std::string url_;
  MySqlClient db_;
};

class FlowState : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    name_ = pipeline_name_for_test(GetParam() == "postgres" ? "fsp_" : "fsm_");
    shared_pg_server().create_database("dst_" + name_);
    if (GetParam() == "postgres") {
      shared_pg_server().create_database("src_" + name_);
      source_ = std::make_unique<PgSource>("src_" + name_);
    } else {
      shared_mariadb_server().create_database("src_" + name_);
      source_ = std::make_unique<MariaDbSource>("src_" + name_);
    }
    sink_ = std::make_unique<PgClient>(shared_pg_server().url("postgres", "", "dst_" + name_));
    source_->exec(scenario_sql());
    file_ = write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: " + source_->type() + "\n  url: " +
                   source_->url() + "\n  tables: [customer, orders]\nsink:\n  type: postgres\n" +
                   "  url: " + shared_pg_server().url("postgres", "", "dst_" + name_) +
                   "\nbatch: { max_rows: 50, max_delay: 100ms }\nflows:\n  live_orders:\n" +
                   "    key: [order_id]\n    sql: |\n" + kFlowSql);
  }

  ProcessResult run(const std::map<std::string, std::string>& env = {}) {
    return SluiceProcess::run_to_completion({"run", "-c", file_, "--until-caught-up"}, 180s, env);
  }

  void run_ok() {
    ProcessResult r = run();
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    last_log_ = r.stderr_text;
  }

  void expect_equals_source() {
    Rows want = source_->query(kOracleSql);
    Rows got = sink_->query(kDestinationSql);
    EXPECT_GT(want.size(), 100u);
    EXPECT_EQ(got, want);
  }

  std::filesystem::path state_dir() const { return test_dir() / "state" / "sluice" / name_; }

  std::string name_;
  std::unique_ptr<SourceDb> source_;
  std::unique_ptr<PgClient> sink_;
  std::string file_;
  std::string last_log_;
};

TEST_P(FlowState, ARowLeavingTheFilterWhileStoppedIsDeleted) {
  run_ok();
  source_->exec("UPDATE orders SET status = 'cancelled' WHERE order_id IN (5, 9)");
  run_ok();
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM live_orders WHERE order_id IN (5, 9)"), "0");
  expect_equals_source();
}

TEST_P(FlowState, AKeyMovedWhileStoppedLeavesNoOldRow) {
  run_ok();
  source_->exec("UPDATE orders SET order_id = 1001 WHERE order_id = 11");
  run_ok();
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM live_orders WHERE order_id = 11"), "0");
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM live_orders WHERE order_id = 1001"), "1");
  expect_equals_source();
}

TEST_P(FlowState, AColumnAddedToAJoinedTableWithChangesAroundIt) {
  run_ok();
  source_->exec("UPDATE customer SET name = 'Before' WHERE customer_id = 3");
  source_->exec("ALTER TABLE customer ADD COLUMN tier varchar(10)");
  source_->exec("UPDATE customer SET name = 'After', tier = 'gold' WHERE customer_id = 4");
  source_->exec("INSERT INTO orders VALUES (2001, 4, 'open', 99)");
  run_ok();
  expect_equals_source();
  source_->exec("UPDATE customer SET tier = 'silver', name = 'Later' WHERE customer_id = 3");
  run_ok();  // no crash loop: the next start goes on as well
  expect_equals_source();
}

TEST_P(FlowState, DroppingAColumnTheFlowUsesStopsWithOneLineEveryTime) {
  run_ok();
  source_->exec("ALTER TABLE customer DROP COLUMN name");
  for (int attempt = 0; attempt < 2; ++attempt) {
    ProcessResult r = run();
    EXPECT_NE(r.exit_code, 0) << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("name"), std::string::npos) << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("live_orders"), std::string::npos) << r.stderr_text;
  }
}

TEST_P(FlowState, ARestartReadsNoRowsOfTheSourceTables) {
  run_ok();
  source_->exec("UPDATE orders SET amount = amount + 1 WHERE order_id < 20");
  run_ok();
  EXPECT_EQ(last_log_.find("current source rows"), std::string::npos) << last_log_;
  EXPECT_NE(last_log_.find("flow state at the warehouse checkpoint"), std::string::npos)
      << last_log_;
  expect_equals_source();
}

// A lost source connection resumes from the state: no second snapshot, no copy.
TEST_P(FlowState, AReconnectReloadsNothing) {
  run_ok();
  SluiceProcess sluice({"run", "-c", file_});
  auto wait_for = [&](const std::string& sql, const std::string& want) {
    for (int i = 0; i < 300 && sink_->scalar(sql) != want; ++i) std::this_thread::sleep_for(100ms);
    return sink_->scalar(sql);
  };
  source_->exec("UPDATE orders SET amount = 7001 WHERE order_id = 1");
  ASSERT_EQ(wait_for("SELECT amount FROM live_orders WHERE order_id = 1", "7001"), "7001");
  source_->drop_replication_connection();
  source_->exec("UPDATE orders SET status = 'cancelled' WHERE order_id = 3");
  source_->exec("UPDATE orders SET amount = 7002 WHERE order_id = 1");
  EXPECT_EQ(wait_for("SELECT amount FROM live_orders WHERE order_id = 1", "7002"), "7002");
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(30s), 0);
  std::string log = sluice.stderr_text();
  EXPECT_NE(log.find("reconnecting"), std::string::npos) << log;
  EXPECT_EQ(log.find("snapshot complete"), std::string::npos) << log;
  size_t resumes = 0;
  for (size_t at = log.find("flow state at the warehouse checkpoint"); at != std::string::npos;
       at = log.find("flow state at the warehouse checkpoint", at + 1))
    ++resumes;
  EXPECT_EQ(resumes, 2u) << log;
  expect_equals_source();
}

// The commit points, hit on purpose: the warehouse and the state committed or not, in each
// order. The run after the kill must end equal to the source.
TEST_P(FlowState, AKillAtEachCommitPointLosesAndDoublesNothing) {
  run_ok();
  int next_order = 3000;
  for (const char* point :
       {"before_warehouse_commit", "after_warehouse_commit", "after_state_commit"}) {
    source_->exec("UPDATE orders SET status = 'cancelled' WHERE order_id = " +
                  std::to_string(next_order - 2990));
    source_->exec("UPDATE orders SET order_id = " + std::to_string(next_order) +
                  " WHERE order_id = " + std::to_string(next_order - 2980));
    source_->exec("UPDATE customer SET name = 'Renamed " + std::string(point) + "'");
    ProcessResult killed = run({{"SLUICE_CRASH_AT", point}});
    EXPECT_EQ(killed.exit_code, 128 + 9) << point << "\n" << killed.stderr_text;
    run_ok();
    if (std::string(point) == "after_warehouse_commit") {
      EXPECT_NE(last_log_.find("replaying"), std::string::npos) << last_log_;
    }
    SCOPED_TRACE(point);
    expect_equals_source();
    ++next_order;
  }
}

TEST_P(FlowState, AKillBeforeTheSnapshotIsStampedRebuildsFromAFreshSnapshot) {
  ProcessResult killed = run({{"SLUICE_CRASH_AT", "after_snapshot_warehouse_commit"}});
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.stderr_text;
  source_->exec("UPDATE orders SET status = 'cancelled' WHERE order_id = 3");
  run_ok();
  EXPECT_NE(last_log_.find("rebuilding the flows from a fresh snapshot"), std::string::npos)
      << last_log_;
  expect_equals_source();
}

TEST_P(FlowState, ADamagedStoreIsRebuiltFromAFreshSnapshot) {
  run_ok();
  source_->exec("UPDATE orders SET status = 'cancelled' WHERE order_id = 13");
  bool damaged = false;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir()))
    if (entry.path().filename().string().starts_with("MANIFEST")) {
      std::ofstream(entry.path(), std::ios::trunc) << "not a manifest";
      damaged = true;
    }
  ASSERT_TRUE(damaged) << "no MANIFEST in " << state_dir();
  run_ok();
  EXPECT_NE(last_log_.find("rebuilding the flows from a fresh snapshot"), std::string::npos)
      << last_log_;
  expect_equals_source();
}

std::string insert_open_orders(int first, int count, int customer) {
  std::string sql = "INSERT INTO orders VALUES ";
  for (int o = first; o < first + count; ++o)
    sql += (o > first ? "," : "") +
           values_of({std::to_string(o), std::to_string(customer), "'open'", "1"});
  return sql;
}

// One customer change fans out to 1,000 destination rows with batch.max_rows 50: they are
// written in slices, all in one warehouse transaction, so a kill after the first slice
// leaves none of them visible.
TEST_P(FlowState, AFanOutIsWrittenInSlicesOfOneWarehouseTransaction) {
  source_->exec(insert_open_orders(5000, 1000, 1));
  run_ok();
  source_->exec("UPDATE customer SET name = 'Fanned out' WHERE customer_id = 1");
  ProcessResult killed = run({{"SLUICE_CRASH_AT", "after_slice"}});
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM live_orders WHERE name = 'Fanned out'"), "0");
  run_ok();
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM live_orders WHERE name = 'Fanned out'"), "1006");
  expect_equals_source();
}

// Transactions larger than a batch, back to back: the batch after one that ended inside a
// transaction ends at that transaction's commit, so the warehouse commits per transaction
// rather than never while they keep coming (the batch age limit is an hour here).
TEST_P(FlowState, ATransactionLargerThanABatchCommitsAtItsEnd) {
  std::string text = read_file(file_);
  text.replace(text.find("max_delay: 100ms"), 16, "max_delay: 60m");
  file_ = write_pipeline_file(name_, text);
  run_ok();
  for (int t = 0; t < 4; ++t) source_->exec(insert_open_orders(5000 + 120 * t, 120, 2));
  ProcessResult killed = run({{"SLUICE_CRASH_AT", "after_warehouse_commit"}});
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM live_orders WHERE order_id >= 5000"), "120");
  run_ok();
  expect_equals_source();
}

INSTANTIATE_TEST_SUITE_P(Sources, FlowState, ::testing::Values("postgres", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sluice::test
