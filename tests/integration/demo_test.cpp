// `sluice demo init|ingest|upsert` against a real PostgreSQL server: table shapes, row
// counts, determinism per seed, the ingest rate and the upsert.

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class Demo : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "demo_" + std::string(info->name()).substr(0, 30);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    shared_pg_server().create_database(name);
    url_ = shared_pg_server().url("postgres", "", name);
    db_ = std::make_unique<PgClient>(url_);
  }

  ProcessResult demo(std::vector<std::string> args, std::chrono::milliseconds timeout = 120s) {
    args.insert(args.begin(), "demo");
    args.insert(args.begin() + 2, {"--url", url_});
    return SluiceProcess::run_to_completion(args, timeout);
  }

  std::string count(const std::string& table) {
    return db_->scalar("SELECT count(*) FROM " + table);
  }

  std::string url_;
  std::unique_ptr<PgClient> db_;
};

TEST_F(Demo, InitCreatesTheFourTablesAndFillsTheDimensions) {
  db_->exec("CREATE TABLE customer (stale int); INSERT INTO customer VALUES (1)");
  ProcessResult r = demo({"init", "--events", "7", "--tickets", "300", "--customers", "120"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(count("sport_event"), "7");
  EXPECT_EQ(count("ticket"), "300");
  EXPECT_EQ(count("customer"), "120");
  EXPECT_EQ(count("ticket_activity"), "0");
  EXPECT_EQ(db_->scalar("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY "
                        "ordinal_position) FROM information_schema.columns WHERE table_name = "
                        "'ticket_activity'"),
            "ticket_id:integer,purchased_by:integer,created_at:timestamp without time zone,"
            "updated_at:timestamp without time zone");
  EXPECT_EQ(db_->scalar("SELECT data_type FROM information_schema.columns WHERE table_name = "
                        "'sport_event' AND column_name = 'start_date'"),
            "date");
  EXPECT_EQ(db_->scalar("SELECT count(*) FROM ticket WHERE event_id NOT BETWEEN 1 AND 7"), "0");
  EXPECT_EQ(db_->scalar("SELECT count(*) FROM customer WHERE phone !~ "
                        "'^(\\+1-\\d{3}-\\d{3}-\\d{4}|\\d{3}-\\d{3}-\\d{4}x\\d{4}|"
                        "\\(\\d{3}\\)\\d{3}-\\d{4}|001-\\d{3}-\\d{3}-\\d{4}x\\d{4})$'"),
            "0");
  EXPECT_EQ(db_->scalar("SELECT count(*) FROM sport_event WHERE location NOT LIKE '%, US'"), "0");
  EXPECT_EQ(db_->scalar("SELECT count(DISTINCT seat_level) FROM ticket"), "2");
}

TEST_F(Demo, SameSeedGivesTheSameDataAndAnotherSeedOtherData) {
  auto fingerprint = [&] {
    return db_->scalar("SELECT md5(string_agg(c::text, ',' ORDER BY customer_id)) FROM customer c");
  };
  ASSERT_EQ(demo({"init", "--customers", "200", "--seed", "5"}).exit_code, 0);
  std::string first = fingerprint();
  ASSERT_EQ(demo({"init", "--customers", "200", "--seed", "5"}).exit_code, 0);
  EXPECT_EQ(fingerprint(), first);
  ASSERT_EQ(demo({"init", "--customers", "200", "--seed", "6"}).exit_code, 0);
  EXPECT_NE(fingerprint(), first);
}

TEST_F(Demo, IngestSellsAtTheRateThenStopsWhenTicketsRunOut) {
  ASSERT_EQ(demo({"init", "--tickets", "5000", "--customers", "50"}).exit_code, 0);
  ProcessResult r = demo({"ingest", "--rate", "1000", "--duration", "2s"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  int sold = std::stoi(count("ticket_activity"));
  // 1 + floor(rate * 2 s) rows are due; the last one may fall just after the deadline.
  EXPECT_GE(sold, 1900);
  EXPECT_LE(sold, 2001);
  EXPECT_NE(r.stdout_text.find("duration reached"), std::string::npos) << r.stdout_text;
  EXPECT_EQ(db_->scalar("SELECT count(*) FROM ticket_activity a LEFT JOIN customer c ON "
                        "c.customer_id = a.purchased_by WHERE c.customer_id IS NULL OR "
                        "a.created_at IS NULL OR a.updated_at <> a.created_at"),
            "0");

  r = demo({"ingest", "--rate", "50000"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(count("ticket_activity"), "5000");
  EXPECT_NE(r.stdout_text.find("every ticket is sold"), std::string::npos) << r.stdout_text;
}

TEST_F(Demo, IngestStopsOnSigterm) {
  ASSERT_EQ(demo({"init"}).exit_code, 0);
  SluiceProcess ingest({"demo", "ingest", "--url", url_, "--rate", "100"});
  std::this_thread::sleep_for(1500ms);
  ingest.kill(SIGTERM);
  EXPECT_EQ(ingest.wait(10s), 0) << ingest.stderr_text();
  EXPECT_NE(ingest.stdout_text().find("stopped"), std::string::npos) << ingest.stdout_text();
  int sold = std::stoi(count("ticket_activity"));
  EXPECT_GE(sold, 100);
  EXPECT_LE(sold, 200);
}

TEST_F(Demo, UpsertReassignsTheTicketAndReportsOldAndNewValues) {
  ASSERT_EQ(demo({"init", "--customers", "30"}).exit_code, 0);
  ASSERT_EQ(demo({"ingest", "--rate", "10000", "--duration", "100ms"}).exit_code, 0);
  std::string ticket = db_->scalar("SELECT min(ticket_id) FROM ticket_activity");
  db_->exec("UPDATE ticket_activity SET updated_at = '2021-08-15 00:00:00' WHERE ticket_id = " +
            ticket);
  std::string buyer =
      db_->scalar("SELECT purchased_by FROM ticket_activity WHERE ticket_id = " + ticket);
  std::string rows_before = count("ticket_activity");

  ProcessResult r = demo({"upsert", "--ticket-id", ticket});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  SqlRow after = db_->query(
      "SELECT purchased_by, updated_at > now() - interval '1 minute' FROM "
      "ticket_activity WHERE ticket_id = " +
      ticket)[0];
  EXPECT_NE(after[0], buyer);
  EXPECT_EQ(after[1], "t");
  EXPECT_EQ(count("ticket_activity"), rows_before);
  std::regex line("ticket " + ticket + ": purchased_by " + buyer + " -> " + *after[0] +
                  ", updated_at 2021-08-15 00:00:00 -> 20\\d\\d-.*\n");
  EXPECT_TRUE(std::regex_match(r.stdout_text, line)) << r.stdout_text;
}

TEST_F(Demo, UpsertOfATicketWithoutActivityExitsTwo) {
  ASSERT_EQ(demo({"init", "--tickets", "10"}).exit_code, 0);
  ProcessResult r = demo({"upsert", "--ticket-id", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("ticket 3 has no activity"), std::string::npos) << r.stderr_text;
}

TEST_F(Demo, RejectsAnUnknownUrlScheme) {
  ProcessResult r = SluiceProcess::run_to_completion(
      {"demo", "init", "--url", "oracle://scott:tiger@127.0.0.1/x"}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("expected postgresql://... or mysql://..."), std::string::npos);
  EXPECT_EQ(r.stderr_text.find("tiger"), std::string::npos) << r.stderr_text;
}

// The same generators against MariaDB: the same rows for the same seed as in PostgreSQL,
// and the MySQL dialect's purchases and upsert.
TEST_F(Demo, MariaDbGetsTheSameDataAndSupportsIngestAndUpsert) {
  MariaDbServer& maria = shared_mariadb_server();
  maria.create_database("demo_maria");
  std::string maria_url = maria.root_url("demo_maria");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "demo");
    args.insert(args.begin() + 2, {"--url", maria_url});
    return SluiceProcess::run_to_completion(args, 120s);
  };
  ASSERT_EQ(demo({"init", "--customers", "300", "--tickets", "500"}).exit_code, 0);
  ProcessResult r = run({"init", "--customers", "300", "--tickets", "500"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  MySqlClient my(maria_url);
  const std::string customers =
      "SELECT count(*), sum(customer_id), max(name), max(email), max(phone), min(phone) FROM "
      "customer";
  SqlRow pg_row = db_->query(customers)[0];
  EXPECT_EQ(my.query(customers)[0], MySqlRow(pg_row.begin(), pg_row.end()));
  const std::string tickets =
      "SELECT count(*), sum(ticket_price), max(seat_location), sum(event_id) FROM ticket";
  pg_row = db_->query(tickets)[0];
  EXPECT_EQ(my.query(tickets)[0], MySqlRow(pg_row.begin(), pg_row.end()));

  r = run({"ingest", "--rate", "2000"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(my.scalar("SELECT count(*) FROM ticket_activity"), "500");
  EXPECT_EQ(my.scalar("SELECT count(*) FROM ticket_activity WHERE created_at IS NULL"), "0");

  std::string buyer = my.scalar("SELECT purchased_by FROM ticket_activity WHERE ticket_id = 7");
  r = run({"upsert", "--ticket-id", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(my.scalar("SELECT purchased_by FROM ticket_activity WHERE ticket_id = 7"), buyer);
  EXPECT_NE(r.stdout_text.find("ticket 7: purchased_by " + buyer + " -> "), std::string::npos)
      << r.stdout_text;
  EXPECT_EQ(run({"upsert", "--ticket-id", "100000"}).exit_code, 2);
}

}  // namespace
}  // namespace sluice::test
