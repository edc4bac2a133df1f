// Failover: a MariaDB primary and a replica of it (GTID replication, log_slave_updates),
// the primary fails, the replica is promoted and source.url moves to it. sluice resumes
// by GTID on the new server, whose binlog files and offsets differ from the primary's.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

constexpr const char* kColumns = "id, name, n";

class MySqlFailover : public ::testing::Test {
 protected:
  void SetUp() override {
    primary_ = std::make_unique<MariaDbServer>(MariaDbServerOptions{.server_id = 1});
    replica_ = std::make_unique<MariaDbServer>(MariaDbServerOptions{
        .server_id = 2, .extra_args = {"--log-slave-updates=ON", "--gtid-strict-mode=ON"}});
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("myfo_");
    warehouse_->create_database("dst_" + name_);
    sink_ = std::make_unique<PgClient>(warehouse_->url("postgres", "", "dst_" + name_));
    // The replica's own setup statements would clash with the primary's GTIDs: it starts
    // from an empty binlog and copies the primary's from the beginning. Writes of its
    // own, in a domain of their own, come first, so that the same transactions lie at
    // other offsets in its binlog than in the primary's (as on any real replica).
    MySqlClient replica(replica_->root_url(""));
    replica.exec(
        "RESET MASTER; SET GLOBAL gtid_slave_pos = ''; SET SESSION gtid_domain_id = 9;"
        "CREATE DATABASE replica_local; USE replica_local; CREATE TABLE notes (id INT PRIMARY KEY, "
        "note VARCHAR(100)); INSERT INTO notes SELECT seq, REPEAT('x', 90) FROM "
        "seq_1_to_50");
    replica.exec("CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " +
                 std::to_string(primary_->port()) + ", MASTER_USER = 'root', MASTER_PASSWORD = '" +
                 primary_->root_password() + "', MASTER_USE_GTID = slave_pos; START SLAVE");
    primary_->create_database("src");
    primary_db_ = std::make_unique<MySqlClient>(primary_->root_url("src"));
    primary_db_->exec(
        "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), n INT);"
        "INSERT INTO items SELECT seq, CONCAT('item ', seq), seq FROM seq_1_to_100");
    wait_for_replica();
  }

  std::string pipeline(const MariaDbServer& source) {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: mysql\n  url: " + source.root_url("src") +
                   "\n  tables: [items]\nsink:\n  type: postgres\n  url: " +
                   warehouse_->url("postgres", "", "dst_" + name_) +
                   "\n  schema: mirror\nbatch: { max_rows: 50, max_delay: 100ms }\n");
  }

  ProcessResult run_until_caught_up(const MariaDbServer& source) {
    return SluiceProcess::run_to_completion({"run", "-c", pipeline(source), "--until-caught-up"},
                                            120s);
  }

  // Until the replica has applied everything the primary has binlogged.
  void wait_for_replica() {
    std::string gtids = primary_db_->scalar("SELECT @@GLOBAL.gtid_binlog_pos");
    MySqlClient replica(replica_->root_url(""));
    ASSERT_EQ(replica.scalar("SELECT MASTER_GTID_WAIT('" + gtids + "', 60)"), "0");
  }

  Rows mirror_rows() {
    std::vector<SqlRow> rows =
        sink_->query(std::string("SELECT ") + kColumns + " FROM mirror.items ORDER BY id");
    return {rows.begin(), rows.end()};
  }

  std::unique_ptr<MariaDbServer> primary_;
  std::unique_ptr<MariaDbServer> replica_;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  std::unique_ptr<MySqlClient> primary_db_;
  std::unique_ptr<PgClient> sink_;
};

TEST_F(MySqlFailover, ResumesOnAPromotedReplicaByGtidLosingAndDoublingNothing) {
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", pipeline(*replica_)}, 30s);
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  ProcessResult snapshot = run_until_caught_up(*primary_);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.stderr_text;
  // Streamed from the primary, then more while sluice is stopped, replicated in time.
  primary_db_->exec(
      "UPDATE items SET n = n + 1000 WHERE id <= 10; DELETE FROM items WHERE id BETWEEN 11 AND "
      "20; INSERT INTO items SELECT seq, CONCAT('more ', seq), seq FROM seq_101_to_200");
  ProcessResult streamed = run_until_caught_up(*primary_);
  ASSERT_EQ(streamed.exit_code, 0) << streamed.stderr_text;
  primary_db_->exec(
      "UPDATE items SET name = 'after checkpoint' WHERE id BETWEEN 21 AND 40;"
      "DELETE FROM items WHERE id > 190; INSERT INTO items VALUES (300, 'last on primary', 300);"
      "FLUSH BINARY LOGS; INSERT INTO items VALUES (301, 'rotated', 301)");
  wait_for_replica();
  primary_->stop(/*crash=*/true);

  // Promotion: the replica stops replicating and takes writes of its own.
  MySqlClient promoted(replica_->root_url("src"));
  promoted.exec(
      "STOP SLAVE; RESET SLAVE ALL;"
      "INSERT INTO items VALUES (400, 'on the new primary', 400);"
      "UPDATE items SET n = -n WHERE id BETWEEN 1 AND 5; DELETE FROM items WHERE id = 100");
  ProcessResult failover = run_until_caught_up(*replica_);
  ASSERT_EQ(failover.exit_code, 0) << failover.stderr_text;
  EXPECT_NE(failover.stderr_text.find("resuming binlog after GTID"), std::string::npos)
      << failover.stderr_text;
  Rows want = promoted.query(std::string("SELECT ") + kColumns + " FROM items ORDER BY id");
  EXPECT_EQ(mirror_rows(), want);

  // The checkpoint now names the new server's binlog: the next run resumes there.
  promoted.exec("INSERT INTO items VALUES (401, 'later', 401)");
  ProcessResult later = run_until_caught_up(*replica_);
  ASSERT_EQ(later.exit_code, 0) << later.stderr_text;
  EXPECT_EQ(mirror_rows(),
            promoted.query(std::string("SELECT ") + kColumns + " FROM items ORDER BY id"));
  // Nothing new: caught up at once, and the position is the new server's.
  ProcessResult idle = run_until_caught_up(*replica_);
  ASSERT_EQ(idle.exit_code, 0) << idle.stderr_text;
  ProcessResult status =
      SluiceProcess::run_to_completion({"status", "-c", pipeline(*replica_)}, 30s);
  EXPECT_NE(status.stdout_text.find("lag 0 bytes"), std::string::npos) << status.stdout_text;
}

TEST_F(MySqlFailover, AReplicaThatLacksCheckpointedTransactionsIsAClearError) {
  MySqlClient replica(replica_->root_url("src"));
  replica.exec("STOP SLAVE");
  ProcessResult snapshot = run_until_caught_up(*primary_);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.stderr_text;
  primary_db_->exec("INSERT INTO items VALUES (500, 'not replicated', 500)");
  ProcessResult streamed = run_until_caught_up(*primary_);
  ASSERT_EQ(streamed.exit_code, 0) << streamed.stderr_text;
  ProcessResult behind = run_until_caught_up(*replica_);
  EXPECT_EQ(behind.exit_code, 2) << behind.stderr_text;
  EXPECT_NE(behind.stderr_text.find("the server's binlog lacks transactions of the checkpoint"),
            std::string::npos)
      << behind.stderr_text;
  EXPECT_EQ(behind.stderr_text.find(primary_->root_password()), std::string::npos);
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM mirror.items WHERE id = 500"), "1");
}

TEST(MySqlReplicaCheck, AReplicaWithoutLogSlaveUpdatesIsAProblem) {
  MariaDbServer primary(MariaDbServerOptions{.server_id = 1});
  MariaDbServer replica(
      MariaDbServerOptions{.server_id = 2, .extra_args = {"--log-slave-updates=OFF"}});
  MySqlClient(replica.root_url(""))
      .exec("CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " +
            std::to_string(primary.port()) + ", MASTER_USER = 'root', MASTER_PASSWORD = '" +
            primary.root_password() + "', MASTER_USE_GTID = slave_pos");
  MySqlClient(replica.root_url(""))
      .exec("CREATE DATABASE src; CREATE TABLE src.items (id INT PRIMARY KEY)");
  std::string name = pipeline_name_for_test("myrc_");
  std::string file = write_pipeline_file(
      name, "name: " + name + "\nsource:\n  type: mysql\n  url: " + replica.root_url("src") +
                "\nsink:\n  type: postgres\n  url: " +
                shared_pg_server().url("postgres", "", "postgres") + "\n");
  ProcessResult r = SluiceProcess::run_to_completion({"check", "-c", file}, 30s);
  EXPECT_EQ(r.exit_code, 2) << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("the server is a replica with log_slave_updates=OFF"),
            std::string::npos)
      << r.stdout_text;
}

}  // namespace
}  // namespace sluice::test
