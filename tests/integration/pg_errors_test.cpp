// A failed statement comes back from PgConnection's Result calls as an Error that keeps the
// server's SQLSTATE and is coded from it, so a caller acts on the code and never on the
// message; the throwing calls raise the same message as before.

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "core/error.hpp"
#include "harness/deadlock.hpp"
#include "harness/pg_server.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"
#include "harness/thrown_error.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice::test {
namespace {

class PgErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = pipeline_name_for_test("pgerr");
    shared_pg_server().create_database(database_);
    conn_ = connect();
    conn_->exec("CREATE TABLE t (id int PRIMARY KEY, v int)");
    conn_->exec("INSERT INTO t VALUES (1, 0), (2, 0)");
  }

  std::unique_ptr<PgConnection> connect() const {
    return std::make_unique<PgConnection>(shared_pg_server().url("postgres", "", database_),
                                          PgConnection::Mode::kNormal, "sink");
  }

  std::string database_;
  std::unique_ptr<PgConnection> conn_;
};

TEST_F(PgErrors, AUniqueViolationKeepsItsSqlstateAndIsNotRetriable) {
  const std::string insert = "INSERT INTO t VALUES (1, 5)";
  Result<void> r = conn_->try_exec(insert);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kUniqueViolation) << r.error().message();
  EXPECT_EQ(r.error().server_code(), "23505");
  EXPECT_FALSE(r.error().retriable());
  EXPECT_TRUE(r.error().message().starts_with("sink: " + insert + ": ERROR:  duplicate key"))
      << r.error().message();
  EXPECT_EQ(thrown_by([&] { conn_->exec(insert); }), "FatalError: " + r.error().message());
}

TEST_F(PgErrors, ARefusedStatementIsNotRetriable) {
  Result<PgResult> r = conn_->try_query("SELECT no_such_column FROM t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kRefused);
  EXPECT_EQ(r.error().server_code(), "42703");
  EXPECT_FALSE(r.error().retriable());
}

TEST_F(PgErrors, AConcurrentUpdateUnderRepeatableReadIsASerializationFailure) {
  conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  conn_->exec("SELECT v FROM t WHERE id = 1");
  PgClient other(shared_pg_server().url("postgres", "", database_));
  other.exec("UPDATE t SET v = 1 WHERE id = 1");
  Result<void> r = conn_->try_exec_params("UPDATE t SET v = $1::int WHERE id = 1", {"2"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kSerializationFailure) << r.error().message();
  EXPECT_EQ(r.error().server_code(), "40001");
  EXPECT_TRUE(r.error().retriable());
}

TEST_F(PgErrors, ADeadlockVictimGetsTheDeadlockCode) {
  std::unique_ptr<PgConnection> other = connect();
  std::optional<Error> victim = deadlock_victim(*conn_, *other);
  ASSERT_TRUE(victim.has_value());
  EXPECT_EQ(victim->code(), Errc::kDeadlock) << victim->message();
  EXPECT_EQ(victim->server_code(), "40P01");
  EXPECT_TRUE(victim->retriable());
}

TEST_F(PgErrors, ATerminatedBackendIsALostConnection) {
  std::optional<std::string> pid = conn_->scalar("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.has_value());
  PgClient admin(shared_pg_server().url("postgres", "", "postgres"));
  admin.exec("SELECT pg_terminate_backend(" + *pid + ")");
  Result<PgResult> r = conn_->try_query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kConnectionLost) << r.error().message();
  EXPECT_TRUE(r.error().retriable());
  EXPECT_TRUE(thrown_by([&] { conn_->exec("SELECT 1"); }).starts_with("ConnectionError: "));
}

}  // namespace
}  // namespace sluice::test
