// Secrets never reach what sluice prints or serves: for every form a connection string
// can hold a password in, and for server errors whose DETAIL quotes row values, the
// distinctive words below are searched for in stdout and stderr of `sluice check` and
// `sluice run`, and in the /status and /healthz bodies while the pipeline runs.

#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// Every secret below is made of these words, and no name or message holds them.
const std::vector<std::string> kSecretWords = {"Plugh", "Xyzzy"};
const std::string kSecretUser = "secret_user";

// Everything one pipeline file makes sluice print or serve.
struct Exposure {
  int check_exit = -1;
  ProcessResult check;
  std::string run_stdout;
  std::string run_stderr;
  std::string status_body;
  std::string healthz_body;
  std::string last_state;

  std::string all() const {
    return "check stdout: " + check.stdout_text + "\ncheck stderr: " + check.stderr_text +
           "\nrun stdout: " + run_stdout + "\nrun stderr: " + run_stderr +
           "\n/status: " + status_body + "\n/healthz: " + healthz_body;
  }
};

void expect_no_secret(const Exposure& seen) {
  std::string text = seen.all();
  for (const std::string& word : kSecretWords)
    EXPECT_EQ(text.find(word), std::string::npos) << "'" << word << "' shown in:\n" << text;
}

// Runs `sluice check`, then `sluice run` until its /status reports `until_state` (or
// "retrying", or it exits), and collects what both printed and served.
Exposure expose(const std::string& file, int http_port,
                const std::string& until_state = "streaming") {
  Exposure seen;
  seen.check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  seen.check_exit = seen.check.exit_code;
  SluiceProcess run({"run", "-c", file});
  httplib::Client http("127.0.0.1", http_port);
  http.set_connection_timeout(1s);
  http.set_read_timeout(5s);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!run.exited() && std::chrono::steady_clock::now() < deadline) {
    if (auto res = http.Get("/status")) {
      seen.status_body = res->body;
      seen.last_state = nlohmann::json::parse(res->body)["state"].get<std::string>();
      if (seen.last_state == until_state || seen.last_state == "retrying") {
        if (auto health = http.Get("/healthz")) seen.healthz_body = health->body;
        break;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  run.kill(SIGTERM);
  run.wait(30s);
  seen.run_stdout = run.stdout_text();
  seen.run_stderr = run.stderr_text();
  return seen;
}

class SecretsPg : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_pg_server();
    name_ = pipeline_name_for_test("sec_");
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    source_ = std::make_unique<PgClient>(server_->url("postgres", "", "src_" + name_));
    source_->exec(
        "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders "
        "VALUES (1, 'one'), (2, 'two')");
    http_port_ = free_port();
  }

  // The role sluice logs in as, with the password the URL under test means.
  void set_password(const std::string& password) {
    PgClient admin(server_->url("postgres", "", "postgres"));
    admin.exec("DO $$ BEGIN CREATE ROLE " + kSecretUser +
               " LOGIN SUPERUSER REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    admin.exec("ALTER ROLE " + kSecretUser + " PASSWORD '" + password + "'");
  }

  std::string port() const { return std::to_string(server_->port()); }
  std::string source_db() const { return "src_" + name_; }

  std::string pipeline(const std::string& source_url) {
    return write_pipeline_file(
        name_,
        "name: " + name_ + "\nsource:\n  type: postgres\n  url: " + source_url +
            "\nsink:\n  type: postgres\n  url: " + server_->url("postgres", "", "dst_" + name_) +
            "\nbatch: { max_rows: 100, max_delay: 50ms }\nobservability:\n  listen: "
            "127.0.0.1:" +
            std::to_string(http_port_) + "\n");
  }

  // A URL that names the right password: check passes and the pipeline streams.
  void expect_works_without_showing_it(const std::string& source_url) {
    Exposure seen = expose(pipeline(source_url), http_port_);
    EXPECT_EQ(seen.check_exit, 0) << seen.all();
    EXPECT_EQ(seen.last_state, "streaming") << seen.all();
    expect_no_secret(seen);
  }

  PgServer* server_ = nullptr;
  std::string name_;
  std::unique_ptr<PgClient> source_;
  int http_port_ = 0;
};

TEST_F(SecretsPg, KeywordValueConnectionString) {
  set_password("Plugh-Xyzzy-1");
  expect_works_without_showing_it("host=127.0.0.1 port=" + port() + " user=" + kSecretUser +
                                  " password=Plugh-Xyzzy-1 dbname=" + source_db());
}

TEST_F(SecretsPg, QuotedKeywordValuePasswordWithSpaceAndQuote) {
  set_password("Plugh Xyzzy''s");
  expect_works_without_showing_it("host=127.0.0.1 port=" + port() + " user=" + kSecretUser +
                                  " password = 'Plugh Xyzzy\\'s' dbname=" + source_db());
}

TEST_F(SecretsPg, PasswordQueryParameter) {
  set_password("Plugh-Xyzzy-2");
  expect_works_without_showing_it("postgresql://" + kSecretUser + "@127.0.0.1:" + port() + "/" +
                                  source_db() + "?sslmode=disable&password=Plugh-Xyzzy-2");
}

// The user part runs to the last '@'; %41 is an escaped 'A'.
TEST_F(SecretsPg, PasswordWithAtSignAndPercentEscape) {
  set_password("Plugh@XyzzyA");
  expect_works_without_showing_it("postgresql://" + kSecretUser +
                                  ":Plugh@Xyzzy%41@127.0.0.1:" + port() + "/" + source_db());
}

// libpq's own message would be: invalid percent-encoded token: "Plugh%zzXyzzy".
TEST_F(SecretsPg, MalformedPercentEscapeInThePasswordIsOneLineWithoutIt) {
  Exposure seen = expose(pipeline("postgresql://" + kSecretUser + "@127.0.0.1:" + port() + "/" +
                                  source_db() + "?password=Plugh%zzXyzzy"),
                         http_port_);
  EXPECT_EQ(seen.check_exit, 2) << seen.all();
  EXPECT_NE(seen.run_stderr.find("cannot parse the connection string"), std::string::npos)
      << seen.all();
  EXPECT_NE(seen.run_stderr.find("password=****"), std::string::npos) << seen.all();
  expect_no_secret(seen);
}

// A sink error whose DETAIL holds a row value, and which a retry may fix (SQLSTATE
// 40001): the pipeline retries and serves the error, but never the row.
TEST_F(SecretsPg, ServerErrorDetailWithRowValuesIsNotServedOrPrinted) {
  std::string file = write_pipeline_file(
      name_,
      "name: " + name_ +
          "\nsource:\n  type: postgres\n  url: " + server_->url("postgres", "", source_db()) +
          "\nsink:\n  type: postgres\n  url: " + server_->url("postgres", "", "dst_" + name_) +
          "\nbatch: { max_rows: 100, max_delay: 50ms }\nobservability:\n  listen: "
          "127.0.0.1:" +
          std::to_string(http_port_) + "\n");
  SluiceProcess run({"run", "-c", file});
  httplib::Client http("127.0.0.1", http_port_);
  http.set_connection_timeout(1s);
  auto poll = [&](const std::string& path, const std::string& wanted) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    std::string body;
    while (!run.exited() && std::chrono::steady_clock::now() < deadline) {
      if (auto res = http.Get(path.c_str())) {
        body = res->body;
        if (body.find(wanted) != std::string::npos) return body;
      }
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << path << " never showed " << wanted << "; last: " << body << "\n"
                  << run.stderr_text();
    return body;
  };
  poll("/status", "\"streaming\"");
  PgClient(server_->url("postgres", "", "dst_" + name_))
      .exec(
          "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
          "EXCEPTION 'refused by trigger' USING ERRCODE = '40001', DETAIL = 'row note ' || "
          "NEW.note; END $$; CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON public.orders "
          "FOR EACH ROW EXECUTE FUNCTION refuse()");
  source_->exec("INSERT INTO orders VALUES (3, 'Plugh-Xyzzy-row')");
  Exposure seen;
  seen.healthz_body = poll("/healthz", "refused by trigger");
  seen.status_body = poll("/status", "refused by trigger");
  run.kill(SIGTERM);
  EXPECT_EQ(run.wait(30s), 0);
  seen.run_stdout = run.stdout_text();
  seen.run_stderr = run.stderr_text();
  expect_no_secret(seen);
}

class SecretsMySql : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_mariadb_server();
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("sec_");
    server_->create_database("src_" + name_);
    warehouse_->create_database("dst_" + name_);
    MySqlClient(server_->root_url("src_" + name_))
        .exec(
            "CREATE TABLE orders (id INT PRIMARY KEY, note TEXT); INSERT INTO orders VALUES "
            "(1, 'one')");
    http_port_ = free_port();
  }

  std::string pipeline(const std::string& source_url) {
    return write_pipeline_file(
        name_,
        "name: " + name_ + "\nsource:\n  type: mysql\n  url: " + source_url +
            "\nsink:\n  type: postgres\n  url: " + warehouse_->url("postgres", "", "dst_" + name_) +
            "\n  schema: public\nbatch: { max_rows: 100, max_delay: 50ms }\n"
            "observability:\n  listen: 127.0.0.1:" +
            std::to_string(http_port_) + "\n");
  }

  std::string host_port() const { return "127.0.0.1:" + std::to_string(server_->port()); }

  MariaDbServer* server_ = nullptr;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  int http_port_ = 0;
};

TEST_F(SecretsMySql, PasswordWithAtSignAndPercentEscape) {
  MySqlClient(server_->root_url(""))
      .exec("CREATE USER IF NOT EXISTS '" + kSecretUser + "'@'127.0.0.1'; ALTER USER '" +
            kSecretUser + "'@'127.0.0.1' IDENTIFIED BY 'Plugh@XyzzyA'; GRANT ALL ON *.* TO '" +
            kSecretUser + "'@'127.0.0.1'");
  Exposure seen = expose(
      pipeline("mysql://" + kSecretUser + ":Plugh@Xyzzy%41@" + host_port() + "/src_" + name_),
      http_port_);
  EXPECT_EQ(seen.check_exit, 0) << seen.all();
  EXPECT_EQ(seen.last_state, "streaming") << seen.all();
  expect_no_secret(seen);
}

TEST_F(SecretsMySql, PasswordQueryParameterIsRefusedWithoutShowingIt) {
  Exposure seen =
      expose(pipeline("mysql://root@" + host_port() + "/src_" + name_ + "?password=Plugh-Xyzzy-3"),
             http_port_);
  EXPECT_EQ(seen.check_exit, 2) << seen.all();
  EXPECT_NE(seen.run_stderr.find("unknown parameter 'password'"), std::string::npos) << seen.all();
  expect_no_secret(seen);
}

}  // namespace
}  // namespace sluice::test
