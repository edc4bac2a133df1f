// The reference flow (the README's reference scenario) from a PostgreSQL source: the warehouse
// table must equal the same join, tokenizing and masking evaluated by the source database itself.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "harness/background_load.hpp"
#include "harness/checksum.hpp"
#include "harness/pg_server.hpp"
#include "harness/reference_flow.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

void create_scenario(PgClient& db) {
  db.exec(
      "CREATE TABLE sport_event (event_id int PRIMARY KEY, sport_type text, start_date date, "
      "location text);"
      "CREATE TABLE ticket (ticket_id int PRIMARY KEY, event_id int, seat_level text, "
      "seat_location text, ticket_price int);"
      "CREATE TABLE customer (customer_id int PRIMARY KEY, name text, email text, phone text);"
      "CREATE TABLE ticket_activity (ticket_id int PRIMARY KEY, purchased_by int, created_at "
      "timestamp, updated_at timestamp);"
      "INSERT INTO sport_event SELECT g, (ARRAY['Baseball','Football','Tennis'])[g % 3 + 1], "
      "date '2021-09-01' + g, 'City ' || g || ', US' FROM generate_series(1, 40) g;"
      "INSERT INTO ticket SELECT g, g % 45 + 1, CASE WHEN g % 4 = 0 THEN 'Premium' ELSE "
      "'Standard' END, 'S-' || g, 50 + g % 100 FROM generate_series(1, 3000) g;"
      "INSERT INTO customer SELECT g, 'Customer ' || g, 'user' || g || '@example.com', "
      "(ARRAY['+1-296-605-8486','087-237-9316x2670','(555)123-4567','001-786-503-2802x2357'])"
      "[g % 4 + 1] FROM generate_series(1, 500) g;"
      "INSERT INTO ticket_activity SELECT g, g % 520 + 1, timestamp '2021-08-15 10:00:00' + g * "
      "interval '1 minute', timestamp '2021-08-15 10:00:00' + g * interval '1 minute' FROM "
      "generate_series(1, 1500) g;");
}

// Purchases, administrators' updates, dimension changes (phones, event locations,
// tickets moving to another event, new customers) and deleted activities.
class ScenarioLoad : public BackgroundLoad {
 public:
  ScenarioLoad(const std::string& url, uint32_t seed) : db_(url), rng_(seed) {}
  ~ScenarioLoad() override { stop(); }

 private:
  void run_transaction() override {
    auto pick = [this](int n) { return std::to_string(rng_() % n + 1); };
    db_.exec("BEGIN");
    for (int i = 0, n = 1 + static_cast<int>(rng_() % 5); i < n; ++i) {
      switch (rng_() % 8) {
        case 0:
        case 1:
          db_.exec("INSERT INTO ticket_activity VALUES (" + pick(3100) + ", " + pick(560) +
                   ", now(), now()) ON CONFLICT (ticket_id) DO UPDATE SET purchased_by = "
                   "EXCLUDED.purchased_by, updated_at = now()");
          break;
        case 2:
          db_.exec(
              "UPDATE customer SET phone = '(555)' || (random() * 1000)::int || '-4567' "
              "WHERE customer_id = " +
              pick(500));
          break;
        case 3:
          db_.exec(
              "UPDATE sport_event SET location = 'Moved ' || (random() * 100)::int WHERE "
              "event_id = " +
              pick(45));
          break;
        case 4:
          db_.exec("UPDATE ticket SET event_id = " + pick(45) + " WHERE ticket_id = " + pick(3000));
          break;
        case 5:
          db_.exec("DELETE FROM ticket_activity WHERE ticket_id = " + pick(3100));
          break;
        case 6:
          db_.exec("INSERT INTO customer VALUES (" + pick(560) + ", 'Late', 'late" + pick(1000) +
                   "@example.org', '+1-000-000-0000') ON CONFLICT DO NOTHING");
          break;
        case 7:
          db_.exec("INSERT INTO sport_event VALUES (" + pick(45) +
                   ", 'Golf', '2022-01-01', 'New, US') ON CONFLICT DO NOTHING");
          break;
      }
    }
    db_.exec("COMMIT");
  }

  PgClient db_;
  std::mt19937 rng_;
};

class PgFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_pg_server();
    name_ = pipeline_name_for_test("f_");
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    source_ = std::make_unique<PgClient>(server_->url("postgres", "", "src_" + name_));
    sink_ = std::make_unique<PgClient>(server_->url("postgres", "", "dst_" + name_));
    create_scenario(*source_);
  }

  std::string pipeline(const std::string& operations) {
    return write_pipeline_file(
        name_,
        reference_flow_pipeline(name_, "postgres", server_->url("postgres", "", "src_" + name_),
                                server_->url("postgres", "", "dst_" + name_), operations));
  }

  void run_until_caught_up(const std::string& file) {
    ProcessResult r =
        SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 180s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }

  void expect_equals_oracle() {
    TableChecksum want = table_checksum(*source_, kReferenceFlowPostgresOracle, {"ticket_id"});
    TableChecksum got = table_checksum(*sink_, "public.sport_event_activity", {"ticket_id"});
    EXPECT_GT(want.rows, 1000);
    EXPECT_EQ(got.rows, want.rows);
    EXPECT_EQ(got.checksum, want.checksum);
  }

  PgServer* server_ = nullptr;
  std::string name_;
  std::unique_ptr<PgClient> source_;
  std::unique_ptr<PgClient> sink_;
};

TEST_F(PgFlow, DestinationEqualsTheJoinUnderLoadAndCrashes) {
  std::string file = pipeline("[insert, update, delete]");
  run_until_caught_up(file);
  expect_equals_oracle();
  ScenarioLoad load(server_->url("postgres", "", "src_" + name_), 11);
  load.start();
  std::mt19937 rng(5);
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

TEST_F(PgFlow, ReferenceOperationsKeepDeletedActivitiesAndMaskPhones) {
  run_until_caught_up(pipeline("[insert, update]"));
  source_->exec(
      "DELETE FROM ticket_activity WHERE ticket_id = 10;"
      "UPDATE customer SET phone = '+1-296-605-8486' WHERE customer_id = 11;"
      "INSERT INTO ticket_activity VALUES (2999, 11, now(), now())");
  run_until_caught_up(pipeline("[insert, update]"));
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM sport_event_activity WHERE ticket_id = 10"), "1");
  EXPECT_EQ(sink_->scalar("SELECT phone_number FROM sport_event_activity WHERE ticket_id = 2999"),
            "+*-***-***-****");
  EXPECT_EQ(sink_->scalar("SELECT email_address FROM sport_event_activity WHERE ticket_id = 2999"),
            source_->scalar("SELECT encode(sha256('user11@example.com'), 'hex')"));
}

// A row whose expression fails goes to sluice_dead_letter with its values masked and the
// pipeline goes on; an HMAC key from the environment tokenizes without being printed.
TEST_F(PgFlow, DeadLettersAndKeyedTokensKeepSecretsOut) {
  const std::string key = "Very-Secret-Hmac-Key-42";
  source_->exec(
      "CREATE TABLE raw_payment (id int PRIMARY KEY, amount text, email text);"
      "INSERT INTO raw_payment VALUES (1, '12', 'a@example.com'), "
      "(2, 'oops', 'b@example.com'), (3, '7', NULL)");
  std::string file = write_pipeline_file(
      name_, "name: " + name_ + "\nsource:\n  type: postgres\n  url: " +
                 server_->url("postgres", "", "src_" + name_) +
                 "\n  tables: [raw_payment]\nsink:\n  type: postgres\n  url: " +
                 server_->url("postgres", "", "dst_" + name_) +
                 "\nflows:\n  payment:\n    key: [id]\n    on_error: dead_letter\n    sql: |\n"
                 "      SELECT p.id, CAST(p.amount AS int) AS amount,\n"
                 "             hmac_sha256(p.email, 'PAYMENT_TOKEN_KEY') AS email_token\n"
                 "      FROM raw_payment p\n");
  std::map<std::string, std::string> env = {{"PAYMENT_TOKEN_KEY", key}};
  ProcessResult first = SluiceProcess::run_to_completion(
      {"--log-level", "debug", "run", "-c", file, "--until-caught-up"}, 120s, env);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  source_->exec("INSERT INTO raw_payment VALUES (4, 'x9', 'c@example.com'), (5, '5', 'd@x.org')");
  ProcessResult second = SluiceProcess::run_to_completion(
      {"--log-level", "debug", "run", "-c", file, "--until-caught-up"}, 120s, env);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;

  EXPECT_EQ(sink_->scalar("SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM payment"),
            "1:12,3:7,5:5");
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM sluice_dead_letter WHERE flow = 'payment'"), "2");
  std::string dead = sink_->scalar(
      "SELECT string_agg(error || ' | ' || coalesce(source_position, '') || ' | ' || row_data, "
      "E'\\n') FROM sluice_dead_letter");
  EXPECT_EQ(dead.find("oops"), std::string::npos) << dead;
  EXPECT_EQ(dead.find("b@example.com"), std::string::npos) << dead;
  EXPECT_NE(dead.find("pg:"), std::string::npos) << dead;
  sink_->exec("CREATE EXTENSION IF NOT EXISTS pgcrypto");
  EXPECT_EQ(sink_->scalar("SELECT email_token FROM payment WHERE id = 1"),
            sink_->scalar("SELECT encode(hmac('a@example.com', '" + key + "', 'sha256'), 'hex')"));
  EXPECT_EQ(sink_->scalar("SELECT email_token IS NULL FROM payment WHERE id = 3"), "t");
  for (const ProcessResult* run : {&first, &second}) {
    EXPECT_EQ(run->stderr_text.find(key), std::string::npos);
    EXPECT_EQ(run->stdout_text.find(key), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::test
