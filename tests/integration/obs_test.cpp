// The observability endpoint of `sluice run` (PostgreSQL -> PostgreSQL): /metrics counts
// exactly the rows written, /healthz follows the pipeline's health, /status is JSON.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// The value of the sample whose name and labels are exactly `series`.
std::optional<double> sample(const std::string& metrics, const std::string& series) {
  std::string prefix = series + " ";
  size_t at = metrics.starts_with(prefix) ? 0 : metrics.find("\n" + prefix);
  if (at == std::string::npos) return std::nullopt;
  if (at != 0) ++at;
  return std::stod(metrics.substr(at + prefix.size()));
}

class Observability : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = "obs_" + std::string(info->name()).substr(0, 30);
    for (char& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    server_ = &shared_pg_server();
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    source_ = std::make_unique<PgClient>(server_->url("postgres", "", "src_" + name_));
    sink_ = std::make_unique<PgClient>(server_->url("postgres", "", "dst_" + name_));
    source_->exec(
        "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, "
        "'snap' FROM generate_series(1, 100) g; ANALYZE orders");
    port_ = free_port();
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    http_->set_connection_timeout(2s);
    http_->set_read_timeout(5s);
  }

  void TearDown() override {
    if (pipeline_) {
      pipeline_->kill(SIGTERM);
      EXPECT_EQ(pipeline_->wait(30s), 0) << pipeline_->stderr_text();
    }
  }

  void start_pipeline(const std::string& batch = "{ max_rows: 1000, max_delay: 50ms }") {
    std::string file = write_pipeline_file(
        name_,
        "name: " + name_ +
            "\nsource:\n  type: postgres\n  url: " + server_->url("postgres", "", "src_" + name_) +
            "\nsink:\n  type: postgres\n  url: " + server_->url("postgres", "", "dst_" + name_) +
            "\nbatch: " + batch +
            "\nobservability:\n  listen: "
            "127.0.0.1:" +
            std::to_string(port_) + "\n");
    pipeline_ = std::make_unique<SluiceProcess>(std::vector<std::string>{"run", "-c", file});
  }

  // GETs `path` until `accept` holds or the timeout passes; returns the last response body.
  template <typename Accept>
  std::string poll(const std::string& path, Accept accept, std::chrono::seconds timeout = 60s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto res = http_->Get(path.c_str())) {
        last = std::to_string(res->status) + " " + res->body;
        if (accept(*res)) return res->body;
      }
      if (pipeline_->exited()) break;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << path << " never matched; last response: " << last << "\nsluice log:\n"
                  << pipeline_->stderr_text();
    return last;
  }

  std::string wait_for_sample(const std::string& series, double value) {
    return poll("/metrics",
                [&](const httplib::Response& r) { return sample(r.body, series) == value; });
  }

  void wait_until_streaming() {
    poll("/status", [](const httplib::Response& r) {
      return nlohmann::json::parse(r.body)["state"] == "streaming";
    });
  }

  std::string name_;
  PgServer* server_ = nullptr;
  std::unique_ptr<PgClient> source_;
  std::unique_ptr<PgClient> sink_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> http_;
  std::unique_ptr<SluiceProcess> pipeline_;
};

TEST_F(Observability, MetricsCountTheRowsWrittenAndStatusIsJson) {
  start_pipeline();
  wait_until_streaming();
  // 7 source transactions, 310 row changes.
  for (int t = 0; t < 5; ++t)
    source_->exec("INSERT INTO orders SELECT g, 'new' FROM generate_series(" +
                  std::to_string(1000 + t * 50) + ", " + std::to_string(1049 + t * 50) + ") g");
  source_->exec("UPDATE orders SET note = 'changed' WHERE id <= 50");
  source_->exec("DELETE FROM orders WHERE id BETWEEN 91 AND 100");

  std::string metrics = wait_for_sample("sluice_rows_out_total{table=\"orders\"}", 310);
  EXPECT_EQ(sample(metrics, "sluice_rows_in_total{table=\"public.orders\"}"), 310);
  EXPECT_EQ(sample(metrics, "sluice_snapshot_rows_total{table=\"public.orders\"}"), 100);
  EXPECT_EQ(sample(metrics, "sluice_snapshot_done{table=\"public.orders\"}"), 1);
  EXPECT_EQ(sample(metrics, "sluice_snapshot_rows_estimated{table=\"public.orders\"}"), 100);
  EXPECT_EQ(sample(metrics, "sluice_commit_to_visible_seconds_count"), 7) << metrics;
  EXPECT_GE(sample(metrics, "sluice_batches_total").value_or(0), 1);
  EXPECT_EQ(sample(metrics, "sluice_batch_seconds_count"), sample(metrics, "sluice_batches_total"));
  EXPECT_GE(sample(metrics, "sluice_lag_seconds").value_or(-1), 0);
  EXPECT_NE(metrics.find("# TYPE sluice_commit_to_visible_seconds histogram\n"), std::string::npos);
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM public.orders"), "340");

  auto health = http_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");

  auto status = http_->Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  nlohmann::json doc = nlohmann::json::parse(status->body);
  EXPECT_EQ(doc["pipeline"], name_);
  EXPECT_EQ(doc["state"], "streaming");
  EXPECT_EQ(doc["rows_out"]["orders"], 310);
  EXPECT_EQ(doc["snapshot"]["public.orders"]["done"], true);
  EXPECT_EQ(doc["applied_position"],
            sink_->scalar("SELECT position FROM public.sluice_checkpoint"));
}

// One source transaction of 200 rows of 1 kB: batch.max_rows alone would apply it as one
// batch; batch.max_bytes closes a batch every 16 kB, inside the transaction.
TEST_F(Observability, ABatchClosesAtMaxBytesInsideATransaction) {
  start_pipeline("{ max_rows: 100000, max_delay: 5s, max_bytes: 16384 }");
  wait_until_streaming();
  source_->exec(
      "INSERT INTO orders SELECT g, repeat('x', 1000) FROM generate_series(1000, 1199) g");
  std::string metrics = wait_for_sample("sluice_rows_out_total{table=\"orders\"}", 200);
  EXPECT_GE(sample(metrics, "sluice_batches_total").value_or(0), 10) << metrics;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM public.orders WHERE length(note) = 1000"), "200");
}

TEST_F(Observability, HealthzIs503WhileTheWarehouseIsUnreachable) {
  start_pipeline();
  wait_until_streaming();
  std::string dst = "dst_" + name_;
  PgClient admin(server_->url("postgres", "", "postgres"));
  admin.exec("ALTER DATABASE " + dst + " ALLOW_CONNECTIONS false");
  // Re-opened even when an assertion below fails, so the pipeline can drain and exit.
  struct Reopen {
    PgClient& admin;
    std::string dst;
    ~Reopen() {
      try {
        admin.exec("ALTER DATABASE " + dst + " ALLOW_CONNECTIONS true");
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
  } reopen{admin, dst};
  admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + dst +
             "'");
  source_->exec("INSERT INTO orders VALUES (5000, 'while down')");

  std::string body = poll("/healthz", [](const httplib::Response& r) { return r.status == 503; });
  EXPECT_TRUE(body.starts_with("retrying: ")) << body;
  auto metrics = http_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_GE(sample(metrics->body, "sluice_errors_total{kind=\"connection\"}").value_or(0), 1)
      << metrics->body;
  auto status = http_->Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(nlohmann::json::parse(status->body)["state"], "retrying");

  admin.exec("ALTER DATABASE " + dst + " ALLOW_CONNECTIONS true");
  poll("/healthz", [](const httplib::Response& r) { return r.status == 200; });
  wait_for_sample("sluice_rows_out_total{table=\"orders\"}", 1);
  // The test's own sink connection was terminated with the pipeline's.
  PgClient sink(server_->url("postgres", "", dst));
  EXPECT_EQ(sink.scalar("SELECT note FROM public.orders WHERE id = 5000"), "while down");
}

TEST_F(Observability, AnAddressInUseFailsTheRunWithAClearMessage) {
  int blocker = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port_));
  ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(blocker, 1), 0);
  start_pipeline();
  EXPECT_EQ(pipeline_->wait(30s), 1);
  EXPECT_NE(pipeline_->stderr_text().find(
                "observability.listen 127.0.0.1:" + std::to_string(port_) + ": cannot listen"),
            std::string::npos)
      << pipeline_->stderr_text();
  pipeline_.reset();
  close(blocker);
}

}  // namespace
}  // namespace sluice::test
