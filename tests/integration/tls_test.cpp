// TLS to both ends against servers with a throwaway CA: PostgreSQL with
// sslmode=verify-full (source, walsender and sink) and MariaDB with
// ssl-mode=VERIFY_IDENTITY (snapshot and binlog connections). A certificate from another
// CA stops sluice with one line (exit 2) instead of a retry loop.

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_ca.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

template <typename Done>
bool wait_for(Done done, std::chrono::seconds timeout = 60s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// sluice's last stderr line is its error; nothing says it will retry.
void expect_one_line_refusal(const ProcessResult& r, const std::string& wanted) {
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  std::string text = r.stderr_text;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::string last = text.substr(text.rfind('\n') + 1);
  EXPECT_TRUE(last.starts_with("sluice: ")) << r.stderr_text;
  EXPECT_NE(last.find(wanted), std::string::npos) << r.stderr_text;
  EXPECT_EQ(r.stderr_text.find("reconnecting"), std::string::npos) << r.stderr_text;
}

std::string tls_pipeline(const std::string& name, const std::string& source_type,
                         const std::string& source_url, const std::string& sink_url) {
  return write_pipeline_file(name, "name: " + name + "\nsource:\n  type: " + source_type +
                                       "\n  url: " + source_url +
                                       "\nsink:\n  type: postgres\n  url: " + sink_url +
                                       "\nbatch: { max_rows: 100, max_delay: 50ms }\n");
}

class TlsPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = new TestCa("postgres");
    other_ca_ = new TestCa("postgres");
    server_ = new PgServer(
        PgServerOptions{.extra_config = {"ssl = on", "ssl_cert_file = '" + ca_->cert_file() + "'",
                                         "ssl_key_file = '" + ca_->key_file() + "'"}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete other_ca_;
    delete ca_;
  }

  void SetUp() override {
    name_ = pipeline_name_for_test("tls_");
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
  }

  std::string verified_url(const std::string& database, const TestCa& ca) const {
    return server_->url("postgres", "", database) +
           "?sslmode=verify-full&sslrootcert=" + ca.ca_file();
  }

  static TestCa* ca_;
  static TestCa* other_ca_;
  static PgServer* server_;
  std::string name_;
};

TestCa* TlsPg::ca_ = nullptr;
TestCa* TlsPg::other_ca_ = nullptr;
PgServer* TlsPg::server_ = nullptr;

TEST_F(TlsPg, SnapshotAndStreamingOverVerifyFull) {
  PgClient source(server_->url("postgres", "", "src_" + name_));
  PgClient sink(server_->url("postgres", "", "dst_" + name_));
  source.exec(
      "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders "
      "SELECT g, 'snap' FROM generate_series(1, 50) g");
  std::string file = tls_pipeline(name_, "postgres", verified_url("src_" + name_, *ca_),
                                  verified_url("dst_" + name_, *ca_));
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;

  SluiceProcess run({"run", "-c", file});
  auto count = [&] { return sink.scalar("SELECT count(*) FROM public.orders"); };
  ASSERT_TRUE(wait_for([&] {
    try {
      return count() == "50";
    } catch (const std::exception&) {
      return false;  // the table is not there yet
    }
  })) << run.stderr_text();
  source.exec("INSERT INTO orders SELECT g, 'stream' FROM generate_series(51, 60) g");
  ASSERT_TRUE(wait_for([&] { return count() == "60"; })) << run.stderr_text();

  // Every connection sluice holds (snapshot or catalog, walsender, sink) is encrypted.
  PgClient admin(server_->url("postgres", "", "postgres"));
  std::string sluice_connections =
      "FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = "
      "'sluice'";
  EXPECT_EQ(admin.scalar("SELECT count(*) " + sluice_connections + " AND NOT s.ssl"), "0");
  EXPECT_EQ(admin.scalar("SELECT count(*) " + sluice_connections +
                         " AND s.ssl AND a.backend_type = 'walsender'"),
            "1");
  EXPECT_NE(admin.scalar("SELECT count(*) " + sluice_connections +
                         " AND s.ssl AND a.backend_type = 'client backend'"),
            "0");
  run.kill(SIGTERM);
  EXPECT_EQ(run.wait(30s), 0) << run.stderr_text();
}

TEST_F(TlsPg, CertificateFromAnotherCaIsRefusedWithOneLine) {
  PgClient(server_->url("postgres", "", "src_" + name_))
      .exec("CREATE TABLE orders (id int PRIMARY KEY)");
  std::string file = tls_pipeline(name_, "postgres", verified_url("src_" + name_, *other_ca_),
                                  verified_url("dst_" + name_, *other_ca_));
  expect_one_line_refusal(SluiceProcess::run_to_completion({"run", "-c", file}, 60s),
                          "certificate verify failed");
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(check.exit_code, 2) << check.stdout_text << check.stderr_text;
  EXPECT_NE(check.stdout_text.find("certificate verify failed"), std::string::npos)
      << check.stdout_text << check.stderr_text;
}

class TlsMariaDb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = new TestCa("mysql");
    other_ca_ = new TestCa("mysql");
    server_ = new MariaDbServer(MariaDbServerOptions{
        .extra_args = {"--ssl-ca=" + ca_->ca_file(), "--ssl-cert=" + ca_->cert_file(),
                       "--ssl-key=" + ca_->key_file()}});
    // An account the server lets in over TLS only: a pipeline that logs in as it and
    // streams has encrypted every connection, the binlog one included.
    MySqlClient(server_->root_url(""))
        .exec(
            "CREATE USER IF NOT EXISTS 'tls_user'@'127.0.0.1' IDENTIFIED BY 'Tls-Pa55word' "
            "REQUIRE SSL; GRANT ALL ON *.* TO 'tls_user'@'127.0.0.1'");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete other_ca_;
    delete ca_;
  }

  void SetUp() override {
    name_ = pipeline_name_for_test("tls_");
    server_->create_database("src_" + name_);
    shared_pg_server().create_database("dst_" + name_);
  }

  std::string source_url(const std::string& query) const {
    return server_->url("tls_user", "Tls-Pa55word", "src_" + name_) + query;
  }
  std::string sink_url() const { return shared_pg_server().url("postgres", "", "dst_" + name_); }

  static TestCa* ca_;
  static TestCa* other_ca_;
  static MariaDbServer* server_;
  std::string name_;
};

TestCa* TlsMariaDb::ca_ = nullptr;
TestCa* TlsMariaDb::other_ca_ = nullptr;
MariaDbServer* TlsMariaDb::server_ = nullptr;

TEST_F(TlsMariaDb, SnapshotAndBinlogStreamingOverVerifyIdentity) {
  MySqlClient source(server_->root_url("src_" + name_));
  source.exec(
      "CREATE TABLE orders (id INT PRIMARY KEY, note TEXT); INSERT INTO orders VALUES "
      "(1, 'snap'), (2, 'snap')");
  PgClient sink(sink_url());
  std::string file = tls_pipeline(
      name_, "mysql", source_url("?ssl-mode=VERIFY_IDENTITY&ssl-ca=" + ca_->ca_file()), sink_url());
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;

  SluiceProcess run({"run", "-c", file});
  auto count = [&] {
    try {
      return sink.scalar("SELECT count(*) FROM public.orders");
    } catch (const std::exception&) {
      return std::string();  // the table is not there yet
    }
  };
  ASSERT_TRUE(wait_for([&] { return count() == "2"; })) << run.stderr_text();
  source.exec("INSERT INTO orders VALUES (3, 'binlog'); UPDATE orders SET note = 'x'");
  ASSERT_TRUE(wait_for([&] {
    return count() == "3" && sink.scalar(
                                 "SELECT count(*) FROM public.orders WHERE note = "
                                 "'x'") == "3";
  })) << run.stderr_text();
  run.kill(SIGTERM);
  EXPECT_EQ(run.wait(30s), 0) << run.stderr_text();
}

// Without TLS the account is refused: the test above cannot pass unencrypted.
TEST_F(TlsMariaDb, TheTlsOnlyAccountIsRefusedWithoutTls) {
  std::string file = tls_pipeline(name_, "mysql", source_url(""), sink_url());
  expect_one_line_refusal(SluiceProcess::run_to_completion({"run", "-c", file}, 60s),
                          "Access denied");
}

TEST_F(TlsMariaDb, CertificateFromAnotherCaIsRefusedWithOneLine) {
  std::string file = tls_pipeline(
      name_, "mysql", source_url("?ssl-mode=VERIFY_IDENTITY&ssl-ca=" + other_ca_->ca_file()),
      sink_url());
  expect_one_line_refusal(SluiceProcess::run_to_completion({"run", "-c", file}, 60s),
                          "TLS/SSL error");
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(check.exit_code, 2) << check.stdout_text << check.stderr_text;
  EXPECT_NE(check.stdout_text.find("TLS/SSL error"), std::string::npos)
      << check.stdout_text << check.stderr_text;
}

}  // namespace
}  // namespace sluice::test
