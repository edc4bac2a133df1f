// The reference flow (the README's reference scenario) from a MariaDB source: the warehouse table
// must equal the same join, tokenizing and masking evaluated by MariaDB itself (SHA2,
// REGEXP_REPLACE), row for row, under load and across kill -9.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "harness/background_load.hpp"
#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/reference_flow.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

const char* kOracleSql =
    "SELECT a.ticket_id, t.event_id, e.sport_type, e.start_date, e.location, t.seat_level, "
    "t.seat_location, t.ticket_price, a.purchased_by, c.name, SHA2(c.email, 256), "
    "REGEXP_REPLACE(c.phone, '[0-9]', '*'), a.created_at, a.updated_at "
    "FROM ticket_activity a LEFT JOIN ticket t ON t.ticket_id = a.ticket_id "
    "LEFT JOIN sport_event e ON e.event_id = t.event_id "
    "LEFT JOIN customer c ON c.customer_id = a.purchased_by ORDER BY a.ticket_id";

const char* kDestinationSql =
    "SELECT ticket_id, event_id, sport_type, start_date, location, seat_level, seat_location, "
    "ticket_price, purchased_by, name, email_address, phone_number, created_at, updated_at "
    "FROM sport_event_activity ORDER BY ticket_id";

// MariaDB prints DATETIME(6) with all six fraction digits, PostgreSQL drops trailing
// zeros: the same instant either way.
std::optional<std::string> canonical(std::optional<std::string> value) {
  static const std::regex kTimestamp(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)");
  if (!value || !std::regex_match(*value, kTimestamp)) return value;
  while (value->back() == '0') value->pop_back();
  if (value->back() == '.') value->pop_back();
  return value;
}

Rows canonical(Rows rows) {
  for (auto& row : rows)
    for (auto& cell : row) cell = canonical(cell);
  return rows;
}

void create_scenario(MySqlClient& db) {
  db.exec(
      "CREATE TABLE sport_event (event_id int PRIMARY KEY, sport_type varchar(40), start_date "
      "date, location varchar(100));"
      "CREATE TABLE ticket (ticket_id int PRIMARY KEY, event_id int, seat_level varchar(20), "
      "seat_location varchar(20), ticket_price int);"
      "CREATE TABLE customer (customer_id int PRIMARY KEY, name varchar(100), email "
      "varchar(100), phone varchar(40));"
      "CREATE TABLE ticket_activity (ticket_id int PRIMARY KEY, purchased_by int, created_at "
      "datetime, updated_at datetime);"
      "INSERT INTO sport_event SELECT seq, ELT(seq % 3 + 1, 'Baseball', 'Football', 'Tennis'), "
      "DATE '2021-09-01' + INTERVAL seq DAY, CONCAT('City ', seq, ', US') FROM seq_1_to_40;"
      "INSERT INTO ticket SELECT seq, seq % 45 + 1, IF(seq % 4 = 0, 'Premium', 'Standard'), "
      "CONCAT('S-', seq), 50 + seq % 100 FROM seq_1_to_3000;"
      "INSERT INTO customer SELECT seq, CONCAT('Customer ', seq), CONCAT('user', seq, "
      "'@example.com'), ELT(seq % 4 + 1, '+1-296-605-8486', '087-237-9316x2670', "
      "'(555)123-4567', '001-786-503-2802x2357') FROM seq_1_to_500;"
      "INSERT INTO ticket_activity SELECT seq, seq % 520 + 1, TIMESTAMP '2021-08-15 10:00:00' + "
      "INTERVAL seq MINUTE, TIMESTAMP '2021-08-15 10:00:00' + INTERVAL seq MINUTE FROM "
      "seq_1_to_1500;");
}

// Purchases, administrators' updates, dimension changes and deleted activities.
class ScenarioLoad : public BackgroundLoad {
 public:
  ScenarioLoad(const std::string& url, uint32_t seed) : db_(url), rng_(seed) {}
  ~ScenarioLoad() override { stop(); }

 private:
  void run_transaction() override {
    auto pick = [this](int n) { return std::to_string(rng_() % n + 1); };
    db_.exec("START TRANSACTION");
    for (int i = 0, n = 1 + static_cast<int>(rng_() % 5); i < n; ++i) {
      switch (rng_() % 8) {
        case 0:
        case 1:
          db_.exec("INSERT INTO ticket_activity VALUES (" + pick(3100) + ", " + pick(560) +
                   ", NOW(), NOW()) ON DUPLICATE KEY UPDATE purchased_by = "
                   "VALUES(purchased_by), updated_at = NOW()");
          break;
        case 2:
          db_.exec(
              "UPDATE customer SET phone = CONCAT('(555)', FLOOR(RAND() * 1000), '-4567') "
              "WHERE customer_id = " +
              pick(500));
          break;
        case 3:
          db_.exec(
              "UPDATE sport_event SET location = CONCAT('Moved ', FLOOR(RAND() * 100)) "
              "WHERE event_id = " +
              pick(45));
          break;
        case 4:
          db_.exec("UPDATE ticket SET event_id = " + pick(45) + " WHERE ticket_id = " + pick(3000));
          break;
        case 5:
          db_.exec("DELETE FROM ticket_activity WHERE ticket_id = " + pick(3100));
          break;
        case 6:
          db_.exec("INSERT IGNORE INTO customer VALUES (" + pick(560) + ", 'Late', 'late" +
                   pick(1000) + "@example.org', '+1-000-000-0000')");
          break;
        case 7:
          db_.exec("INSERT IGNORE INTO sport_event VALUES (" + pick(45) +
                   ", 'Golf', '2022-01-01', 'New, US')");
          break;
      }
    }
    db_.exec("COMMIT");
  }

  MySqlClient db_;
  std::mt19937 rng_;
};

class MySqlFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_mariadb_server();
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("mf_");
    server_->create_database("src_" + name_);
    warehouse_->create_database("dst_" + name_);
    source_ = std::make_unique<MySqlClient>(source_url());
    sink_ = std::make_unique<PgClient>(warehouse_->url("postgres", "", "dst_" + name_));
    create_scenario(*source_);
  }

  std::string source_url() const { return server_->root_url("src_" + name_); }

  std::string pipeline(const std::string& operations) {
    return write_pipeline_file(
        name_,
        reference_flow_pipeline(name_, "mysql", source_url(),
                                warehouse_->url("postgres", "", "dst_" + name_), operations));
  }

  void run_until_caught_up(const std::string& file) {
    ProcessResult r =
        SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 180s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }

  void expect_equals_oracle(size_t at_least = 1000) {
    Rows want = canonical(source_->query(kOracleSql));
    std::vector<SqlRow> got_rows = sink_->query(kDestinationSql);
    Rows got = canonical(Rows(got_rows.begin(), got_rows.end()));
    EXPECT_GT(want.size(), at_least);
    ASSERT_EQ(got.size(), want.size());
    for (size_t r = 0; r < want.size(); ++r) {
      if (got[r] == want[r]) continue;
      for (size_t c = 0; c < want[r].size(); ++c)
        EXPECT_EQ(got[r][c].value_or("NULL"), want[r][c].value_or("NULL"))
            << "ticket " << want[r][0].value_or("NULL") << " column " << c;
      return;
    }
  }

  MariaDbServer* server_ = nullptr;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  std::unique_ptr<MySqlClient> source_;
  std::unique_ptr<PgClient> sink_;
};

TEST_F(MySqlFlow, DestinationEqualsTheJoinUnderLoadAndCrashes) {
  std::string file = pipeline("[insert, update, delete]");
  run_until_caught_up(file);
  expect_equals_oracle();
  ScenarioLoad load(source_url(), 17);
  load.start();
  std::mt19937 rng(9);
  for (int round = 0; round < 6; ++round) {
    SluiceProcess sluice({"run", "-c", file});
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + rng() % 1200));
    sluice.kill(SIGKILL);
    sluice.wait(10s);
  }
  load.stop();
  ASSERT_GT(load.transactions(), 20u);
  run_until_caught_up(file);
  expect_equals_oracle();
}

TEST_F(MySqlFlow, AnUpsertOfOneTicketChangesItsRowWithoutADuplicate) {
  std::string file = pipeline("[insert, update]");
  run_until_caught_up(file);
  source_->exec(
      "UPDATE ticket_activity SET purchased_by = 7, updated_at = NOW() WHERE "
      "ticket_id = 1317 OR ticket_id = 20");
  run_until_caught_up(file);
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM sport_event_activity WHERE ticket_id = 20"), "1");
  EXPECT_EQ(sink_->scalar("SELECT purchased_by FROM sport_event_activity WHERE ticket_id = 20"),
            "7");
  EXPECT_EQ(sink_->scalar("SELECT email_address FROM sport_event_activity WHERE ticket_id = 20"),
            source_->scalar("SELECT SHA2('user7@example.com', 256)"));
  EXPECT_EQ(sink_->scalar("SELECT phone_number FROM sport_event_activity WHERE ticket_id = 20"),
            "***-***-***-****x****");  // customer 7 has the 001-786-503-2802x2357 shape
}

// What scripts/quickstart.sh does, headless: the demo generators, the shipped pipeline
// file, an administrator's upsert; then the warehouse equals MariaDB's own query.
TEST_F(MySqlFlow, QuickstartScenarioWithTheShippedPipelineFile) {
  std::string url = source_url();
  ProcessResult init =
      SluiceProcess::run_to_completion({"demo", "init", "--url", url, "--events", "30", "--tickets",
                                        "3000", "--customers", "400", "--seed", "3"},
                                       60s);
  ASSERT_EQ(init.exit_code, 0) << init.stderr_text;
  std::map<std::string, std::string> env = {
      {"SOURCE_URL", url}, {"WAREHOUSE_URL", warehouse_->url("postgres", "", "dst_" + name_)}};
  std::string file = std::string(SLUICE_SOURCE_DIR) + "/examples/sport_events/pipeline.yaml";
  SluiceProcess pipeline({"run", "-c", file}, env);
  ProcessResult ingest = SluiceProcess::run_to_completion(
      {"demo", "ingest", "--url", url, "--rate", "400", "--duration", "3s"}, 60s);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.stderr_text;
  ProcessResult upsert = SluiceProcess::run_to_completion(
      {"demo", "upsert", "--url", url, "--ticket-id",
       source_->scalar("SELECT min(ticket_id) FROM ticket_activity")},
      60s);
  ASSERT_EQ(upsert.exit_code, 0) << upsert.stderr_text;
  pipeline.kill(SIGTERM);
  ASSERT_EQ(pipeline.wait(60s), 0) << pipeline.stderr_text();
  ProcessResult rest =
      SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 120s, env);
  ASSERT_EQ(rest.exit_code, 0) << rest.stderr_text;
  expect_equals_oracle(500);
}

}  // namespace
}  // namespace sluice::test
