// A failed statement comes back from MySqlConnection's Result calls as an Error that keeps
// the server's errno and is coded from it, so a caller acts on the code and never on the
// message; the throwing calls raise the same message, and privilege errors stay ConfigError.

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "core/error.hpp"
#include "harness/deadlock.hpp"
#include "harness/mariadb_server.hpp"
#include "harness/test_dir.hpp"
#include "harness/thrown_error.hpp"
#include "mysqlclient/mysql_connection.hpp"

namespace sluice::test {
namespace {

class MySqlErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = pipeline_name_for_test("myerr");
    shared_mariadb_server().create_database(database_);
    conn_ = connect();
    conn_->exec("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE = InnoDB");
    conn_->exec("INSERT INTO t VALUES (1, 0), (2, 0)");
  }

  std::unique_ptr<MySqlConnection> connect() const {
    return std::make_unique<MySqlConnection>(shared_mariadb_server().root_url(database_), "source");
  }

  std::string database_;
  std::unique_ptr<MySqlConnection> conn_;
};

TEST_F(MySqlErrors, ADuplicateKeyKeepsItsErrnoAndIsNotRetriable) {
  const std::string insert = "INSERT INTO t VALUES (1, 5)";
  Result<void> r = conn_->try_exec(insert);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kUniqueViolation) << r.error().message();
  EXPECT_EQ(r.error().server_code(), "1062");
  EXPECT_FALSE(r.error().retriable());
  EXPECT_EQ(r.error().message(),
            "source: " + insert + ": Duplicate entry '1' for key 'PRIMARY' (error 1062)");
  EXPECT_EQ(thrown_by([&] { conn_->exec(insert); }), "FatalError: " + r.error().message());
}

TEST_F(MySqlErrors, ASyntaxErrorIsRefused) {
  Result<MySqlRows> r = conn_->try_query("SELEC id FROM t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kRefused) << r.error().message();
  EXPECT_EQ(r.error().server_code(), "1064");
  EXPECT_FALSE(r.error().retriable());
  EXPECT_EQ(thrown_by([&] { conn_->query("SELEC id FROM t"); }),
            "FatalError: " + r.error().message());
}

TEST_F(MySqlErrors, AQueryReturnsItsRows) {
  Result<MySqlRows> r = conn_->try_query("SELECT id, NULL FROM t ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r.value(), (MySqlRows{{"1", std::nullopt}, {"2", std::nullopt}}));
}

TEST_F(MySqlErrors, ADeadlockVictimGetsTheDeadlockCode) {
  std::unique_ptr<MySqlConnection> other = connect();
  std::optional<Error> victim = deadlock_victim(*conn_, *other);
  ASSERT_TRUE(victim.has_value());
  EXPECT_EQ(victim->code(), Errc::kDeadlock) << victim->message();
  EXPECT_EQ(victim->server_code(), "1213");
  EXPECT_TRUE(victim->retriable());
}

TEST_F(MySqlErrors, ALockWaitTimeoutIsRetriable) {
  std::unique_ptr<MySqlConnection> other = connect();
  other->exec("BEGIN");
  other->exec("UPDATE t SET v = 1 WHERE id = 1");
  conn_->exec("SET SESSION innodb_lock_wait_timeout = 1");
  Result<void> r = conn_->try_exec("UPDATE t SET v = 2 WHERE id = 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kSerializationFailure) << r.error().message();
  EXPECT_EQ(r.error().server_code(), "1205");
  EXPECT_TRUE(r.error().retriable());
}

TEST_F(MySqlErrors, AKilledConnectionIsALostConnection) {
  std::optional<std::string> id = conn_->scalar("SELECT CONNECTION_ID()");
  ASSERT_TRUE(id.has_value());
  connect()->exec("KILL CONNECTION " + *id);
  Result<MySqlRows> r = conn_->try_query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kConnectionLost) << r.error().message();
  EXPECT_TRUE(r.error().retriable());
  EXPECT_TRUE(thrown_by([&] { conn_->exec("SELECT 1"); }).starts_with("ConnectionError: "));
}

// A privilege error is refused to a caller that decides, and a configuration error to one
// that throws: granting the privilege fixes it, retrying does not.
TEST_F(MySqlErrors, APrivilegeErrorIsRefusedOrAConfigError) {
  std::string user = "myerr_ro";
  conn_->exec("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY 'Ro-Pa55word'");
  conn_->exec("GRANT SELECT ON " + database_ + ".t TO '" + user + "'@'%'");
  MySqlConnection limited(shared_mariadb_server().url(user, "Ro-Pa55word", database_), "source");
  Result<void> r = limited.try_exec("INSERT INTO t VALUES (3, 0)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kRefused) << r.error().message();
  EXPECT_EQ(r.error().server_code(), "1142");
  EXPECT_EQ(thrown_by([&] { limited.exec("INSERT INTO t VALUES (3, 0)"); }),
            "ConfigError: " + r.error().message());
}

}  // namespace
}  // namespace sluice::test
