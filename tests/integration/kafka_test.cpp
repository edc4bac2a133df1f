// capture -> Kafka -> apply against librdkafka's mock cluster (three brokers, real TCP on
// loopback, created in this test process) and real PostgreSQL servers: the warehouse
// ends equal to the source with several apply processes, one of them killed, and with
// broker errors injected.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "harness/checksum.hpp"
#include "harness/pg_server.hpp"
#include "harness/reference_flow.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// The mock cluster lives inside a (never used) producer handle of this process.
class MockCluster {
 public:
  MockCluster() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[256];
    rd_kafka_conf_set(conf, "log_level", "0", error, sizeof(error));
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    if (handle_ == nullptr) throw std::runtime_error(error);
    cluster_ = rd_kafka_mock_cluster_new(handle_, 3);
    if (cluster_ == nullptr) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() { return cluster_; }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// Random inserts, updates (some moving the key) and deletes in multi-statement
// transactions, until stopped.
class WriteLoad {
 public:
  WriteLoad(std::string url, uint32_t seed) : url_(std::move(url)), seed_(seed) {
    thread_ = std::thread([this] { run(); });
  }
  ~WriteLoad() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t transactions() const { return transactions_; }

 private:
  void run() {
    PgClient db(url_);
    std::mt19937 rng(seed_);
    int next_id = 1000000 + static_cast<int>(seed_) * 100000;
    while (running_) {
      std::string sql = "BEGIN;";
      for (int i = 0, n = 1 + static_cast<int>(rng() % 10); i < n; ++i) {
        std::string id = std::to_string(rng() % 3000 + 1);
        switch (rng() % 6) {
          case 0:
          case 1:
            sql += "INSERT INTO orders VALUES (" + std::to_string(next_id++) + ", " +
                   std::to_string(rng() % 100) + ", 1.25, E'tab\\there');";
            break;
          case 2:
            sql +=
                "UPDATE orders SET amount = amount + 1, note = note || 'u' WHERE id = " + id + ";";
            break;
          case 3:
            sql +=
                "UPDATE orders SET id = " + std::to_string(next_id++) + " WHERE id = " + id + ";";
            break;
          case 4:
            sql += "DELETE FROM orders WHERE id = " + id + ";";
            break;
          default:
            sql += "UPDATE customers SET name = name || '!' WHERE id = " +
                   std::to_string(rng() % 100) + ";";
        }
      }
      db.exec(sql + "COMMIT");
      ++transactions_;
      std::this_thread::sleep_for(2ms);
    }
  }

  std::string url_;
  uint32_t seed_;
  std::atomic<bool> running_{true};
  std::atomic<uint64_t> transactions_{0};
  std::thread thread_;
};

class Kafka : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_pg_server();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = std::string("k_") + std::string(info->name()).substr(0, 28);
    for (char& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    source_ = std::make_unique<PgClient>(server_->url("postgres", "", "src_" + name_));
    sink_ = std::make_unique<PgClient>(server_->url("postgres", "", "dst_" + name_));
    source_->exec(
        "CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric(12,2), note text);"
        "CREATE TABLE customers (id int PRIMARY KEY, name text);"
        "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(0, 99) g;"
        "INSERT INTO orders SELECT g, g % 100, g * 0.5, 'order ' || g "
        "FROM generate_series(1, 3000) g;");
    file_ = write_pipeline_file(
        name_,
        "name: " + name_ +
            "\nsource:\n  type: postgres\n  url: " + server_->url("postgres", "", "src_" + name_) +
            "\nsink:\n  type: postgres\n  url: " + server_->url("postgres", "", "dst_" + name_) +
            "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n"
            "transport:\n  type: kafka\n  brokers: " +
            cluster_.bootstraps() +
            "\n  partitions: 4\n  properties:\n    session.timeout.ms: 6000\n"
            "    heartbeat.interval.ms: 500\n    ssl.key.password: Not-Shown-42\n");
  }

  std::unique_ptr<SluiceProcess> start(const std::string& command) {
    return std::make_unique<SluiceProcess>(std::vector<std::string>{command, "-c", file_});
  }

  bool same(const std::string& table) {
    TableChecksum want = table_checksum(*source_, "public." + table, {"id"});
    TableChecksum got = table_checksum(*sink_, "mirror." + table, {"id"});
    return got.rows == want.rows && got.checksum == want.checksum;
  }

  // Waits until the warehouse equals the source (apply runs asynchronously).
  bool converges(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (sink_->scalar("SELECT to_regclass('mirror.orders') IS NOT NULL AND "
                        "to_regclass('mirror.customers') IS NOT NULL") == "t" &&
          same("orders") && same("customers"))
        return true;
      std::this_thread::sleep_for(500ms);
    }
    return false;
  }

  // Waits until apply has committed something (capture and the group are running).
  bool flowing(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (sink_->scalar("SELECT to_regclass('mirror.sluice_kafka_offsets') IS NOT NULL") == "t" &&
          sink_->scalar("SELECT count(*) > 0 FROM mirror.sluice_kafka_offsets") == "t")
        return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  // What a failed convergence looks like: row counts and the stored offsets.
  std::string diagnosis() {
    std::string out = "source orders " + source_->scalar("SELECT count(*) FROM orders") +
                      ", warehouse orders " + sink_->scalar("SELECT count(*) FROM mirror.orders") +
                      "; offsets: ";
    for (const SqlRow& row : sink_->query("SELECT topic || ' [' || \"partition\" || '] ' || "
                                          "next_offset FROM mirror.sluice_kafka_offsets"))
      out += row[0].value_or("?") + "; ";
    return out + "\n";
  }

  MockCluster cluster_;
  PgServer* server_ = nullptr;
  std::string last_apply_log_;
  std::string name_;
  std::string file_;
  std::unique_ptr<PgClient> source_;
  std::unique_ptr<PgClient> sink_;
};

TEST_F(Kafka, CaptureThenApplyEqualsSource) {
  auto capture = start("capture");
  auto apply = start("apply");
  {
    WriteLoad load(server_->url("postgres", "", "src_" + name_), 1);
    std::this_thread::sleep_for(4s);
    load.stop();
    ASSERT_GT(load.transactions(), 20u);
  }
  ASSERT_TRUE(converges(60s)) << diagnosis() << capture->stderr_text() << apply->stderr_text();
  // Every partition's offset is stored with the rows, in the warehouse.
  EXPECT_EQ(sink_->scalar("SELECT count(DISTINCT topic || ':' || \"partition\") FROM "
                          "mirror.sluice_kafka_offsets WHERE pipeline = '" +
                          name_ + "'"),
            "8");
  apply->kill(SIGTERM);
  EXPECT_EQ(apply->wait(30s), 0) << apply->stderr_text();
  capture->kill(SIGTERM);
  EXPECT_EQ(capture->wait(30s), 0) << capture->stderr_text();
  std::string logs = capture->stderr_text() + apply->stderr_text();
  EXPECT_EQ(logs.find("Not-Shown-42"), std::string::npos);
  EXPECT_NE(logs.find("ssl.key.password=****"), std::string::npos);
}

// Kafka messages are keyed and applied by the primary key: a table whose deletes name
// rows by another replica identity is refused with one line rather than misapplied.
TEST_F(Kafka, CaptureRefusesAReplicaIdentityOtherThanTheKey) {
  source_->exec(
      "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;"
      "CREATE UNIQUE INDEX orders_note ON orders (note);"
      "ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_note;");
  ProcessResult r =
      SluiceProcess::run_to_completion({"capture", "-c", file_, "--until-caught-up"}, 60s);
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("public.orders has REPLICA IDENTITY USING INDEX"), std::string::npos)
      << r.stderr_text;
}

// A key move that leaves a TOAST value unchanged carries no value for the new key's
// partition: capture stops with one line instead of landing a NULL there.
TEST_F(Kafka, CaptureStopsOnAKeyMoveThatLeavesAToastValueUnchanged) {
  source_->exec(
      "CREATE TABLE docs (id int PRIMARY KEY, body text);"
      "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;"
      "INSERT INTO docs SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 200) g;");
  ProcessResult snapshot =
      SluiceProcess::run_to_completion({"capture", "-c", file_, "--until-caught-up"}, 60s);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.stderr_text;
  source_->exec("UPDATE docs SET id = 2 WHERE id = 1");
  ProcessResult r =
      SluiceProcess::run_to_completion({"capture", "-c", file_, "--until-caught-up"}, 60s);
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("public.docs moves a row to another primary key and leaves "
                               "column body"),
            std::string::npos)
      << r.stderr_text;
}

TEST_F(Kafka, ThreeApplyProcessesOneKilledStillConverge) {
  auto capture = start("capture");
  std::vector<std::unique_ptr<SluiceProcess>> applies;
  for (int i = 0; i < 3; ++i) applies.push_back(start("apply"));
  ASSERT_TRUE(flowing(60s)) << capture->stderr_text() << applies[0]->stderr_text();
  {
    WriteLoad load(server_->url("postgres", "", "src_" + name_), 2);
    std::this_thread::sleep_for(2s);
    // Killed while it holds partitions and applies under load.
    for (int i = 0;
         i < 100 && applies[1]->stderr_text().find("apply: assigned") == std::string::npos; ++i)
      std::this_thread::sleep_for(200ms);
    ASSERT_NE(applies[1]->stderr_text().find("apply: assigned"), std::string::npos)
        << applies[1]->stderr_text();
    std::this_thread::sleep_for(1s);
    applies[1]->kill(SIGKILL);
    applies[1]->wait(10s);
    std::this_thread::sleep_for(3s);
    load.stop();
  }
  ASSERT_TRUE(converges(90s)) << diagnosis() << capture->stderr_text() << applies[0]->stderr_text()
                              << applies[2]->stderr_text();
  for (size_t i : {0u, 2u}) {
    EXPECT_FALSE(applies[i]->exited()) << applies[i]->stderr_text();
    applies[i]->kill(SIGTERM);
    EXPECT_EQ(applies[i]->wait(30s), 0) << applies[i]->stderr_text();
  }
  // The survivors took the dead process's partitions over.
  std::string logs = applies[0]->stderr_text() + applies[2]->stderr_text();
  EXPECT_NE(logs.find("revoked"), std::string::npos);
  capture->kill(SIGTERM);
  EXPECT_EQ(capture->wait(30s), 0) << capture->stderr_text();
}

TEST_F(Kafka, BrokerErrorsAndOutagesStillConverge) {
  auto capture = start("capture");
  auto apply = start("apply");
  ASSERT_TRUE(flowing(60s)) << capture->stderr_text() << apply->stderr_text();
  {
    WriteLoad load(server_->url("postgres", "", "src_" + name_), 3);
    std::this_thread::sleep_for(1s);
    // Produce (0) and Fetch (1) requests fail with retriable errors; then a broker dies.
    rd_kafka_mock_push_request_errors(
        cluster_.get(), 0, 6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
    rd_kafka_mock_push_request_errors(
        cluster_.get(), 1, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
    std::this_thread::sleep_for(1s);
    rd_kafka_mock_broker_set_down(cluster_.get(), 2);
    std::this_thread::sleep_for(3s);
    rd_kafka_mock_broker_set_up(cluster_.get(), 2);
    std::this_thread::sleep_for(1s);
    load.stop();
  }
  ASSERT_TRUE(converges(90s)) << diagnosis() << capture->stderr_text() << apply->stderr_text();
  apply->kill(SIGTERM);
  EXPECT_EQ(apply->wait(30s), 0) << apply->stderr_text();
  capture->kill(SIGTERM);
  EXPECT_EQ(capture->wait(30s), 0) << capture->stderr_text();
}

// Messages as Debezium's PostgreSQL connector writes them with the schema-less JSON
// converter: typed values, the key as a JSON object, a tombstone after the delete.
void produce_debezium_messages(const std::string& brokers, const std::string& topic) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof(error));
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  ASSERT_NE(producer, nullptr) << error;
  auto source = [](int tx) {
    return R"("source":{"version":"2.4.0.Final","connector":"postgresql","name":"dbserver1",)"
           R"("ts_ms":1700000000000,"db":"shop","schema":"inventory","table":"products",)"
           R"("txId":)" +
           std::to_string(tx) + "}";
  };
  auto row = [](int id, const std::string& name, const std::string& price, bool stock) {
    return R"({"id":)" + std::to_string(id) + R"(,"name":")" + name + R"(","price":)" + price +
           R"(,"in_stock":)" + (stock ? "true" : "false") + R"(,"tags":["a",1]})";
  };
  std::vector<std::pair<std::string, std::string>> messages = {
      {"1", R"({"before":null,"after":)" + row(1, "hammer", "9.5", true) + "," + source(1) +
                R"(,"op":"r","ts_ms":1})"},
      {"2", R"({"before":null,"after":)" + row(2, "saw", "12.75", true) + "," + source(2) +
                R"(,"op":"c","ts_ms":2})"},
      {"3", R"({"before":null,"after":)" + row(3, "drill", "99.0", true) + "," + source(3) +
                R"(,"op":"c","ts_ms":3})"},
      {"2", R"({"before":null,"after":)" + row(2, "saw v2", "20", false) + "," + source(4) +
                R"(,"op":"u","ts_ms":4})"},
      {"3", R"({"before":{"id":3,"name":null,"price":null,"in_stock":null,"tags":null},)"
            R"("after":null,)" +
                source(5) + R"(,"op":"d","ts_ms":5})"},
      {"3", ""}};
  for (const auto& [id, value] : messages) {
    std::string key = R"({"id":)" + id + "}";
    rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(value.empty() ? nullptr : const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_END);
  }
  EXPECT_EQ(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(producer);
}

TEST_F(Kafka, AppliesTopicsWrittenByDebezium) {
  produce_debezium_messages(cluster_.bootstraps(), "dbserver1.inventory.products");
  std::string file = write_pipeline_file(
      name_ + "_dbz",
      "name: " + name_ +
          "\nsource:\n  type: postgres\n  url: " + server_->url("postgres", "", "src_" + name_) +
          "\nsink:\n  type: postgres\n  url: " + server_->url("postgres", "", "dst_" + name_) +
          "\n  schema: mirror\ntransport:\n  type: kafka\n  brokers: " + cluster_.bootstraps() +
          "\n  topics: [dbserver1.inventory.products]\n");
  ProcessResult r =
      SluiceProcess::run_to_completion({"apply", "-c", file, "--until-caught-up"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT string_agg(id || '|' || name || '|' || price || '|' || "
                          "in_stock || '|' || tags, ',' ORDER BY id) FROM mirror.products"),
            "1|hammer|9.5|true|[\"a\", 1],2|saw v2|20|false|[\"a\", 1]");
  EXPECT_EQ(sink_->scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                          "attrelid = 'mirror.products'::regclass AND attname = 'price'"),
            "double precision");
}

void create_scenario(PgClient& db) {
  db.exec(
      "CREATE TABLE sport_event (event_id int PRIMARY KEY, sport_type text, start_date date, "
      "location text);"
      "CREATE TABLE ticket (ticket_id int PRIMARY KEY, event_id int, seat_level text, "
      "seat_location text, ticket_price int);"
      "CREATE TABLE customer (customer_id int PRIMARY KEY, name text, email text, phone text);"
      "CREATE TABLE ticket_activity (ticket_id int PRIMARY KEY, purchased_by int, created_at "
      "timestamp, updated_at timestamp);"
      "INSERT INTO sport_event SELECT g, 'Tennis', date '2021-09-01' + g, 'City ' || g "
      "FROM generate_series(1, 40) g;"
      "INSERT INTO ticket SELECT g, g % 45 + 1, 'Standard', 'S-' || g, 50 + g % 100 "
      "FROM generate_series(1, 3000) g;"
      "INSERT INTO customer SELECT g, 'Customer ' || g, 'user' || g || '@example.com', "
      "'(555)123-4567' FROM generate_series(1, 500) g;"
      "INSERT INTO ticket_activity SELECT g, g % 520 + 1, timestamp '2021-08-15 10:00:00' + g * "
      "interval '1 minute', timestamp '2021-08-15 10:00:00' FROM generate_series(1, 1500) g;");
}

// Purchases, deleted activities, and changes to every lookup table.
void scenario_changes(PgClient& db, std::mt19937& rng) {
  auto pick = [&](int n) { return std::to_string(rng() % n + 1); };
  std::string sql = "BEGIN;";
  for (int i = 0; i < 5; ++i) {
    switch (rng() % 6) {
      case 0:
      case 1:
        sql += "INSERT INTO ticket_activity VALUES (" + pick(3100) + ", " + pick(560) +
               ", now(), now()) ON CONFLICT (ticket_id) DO UPDATE SET purchased_by = "
               "EXCLUDED.purchased_by, updated_at = now();";
        break;
      case 2:
        sql +=
            "UPDATE customer SET phone = '(555)' || (random() * 1000)::int WHERE "
            "customer_id = " +
            pick(500) + ";";
        break;
      case 3:
        sql +=
            "UPDATE sport_event SET location = 'Moved ' || (random() * 100)::int WHERE "
            "event_id = " +
            pick(45) + ";";
        break;
      case 4:
        sql +=
            "UPDATE ticket SET event_id = " + pick(45) + " WHERE ticket_id = " + pick(3000) + ";";
        break;
      default:
        sql += "DELETE FROM ticket_activity WHERE ticket_id = " + pick(3100) + ";";
    }
  }
  db.exec(sql + "COMMIT");
}

// The reference flow's destination equals its oracle on the source, polled until `timeout`;
// returns the last checksums (wanted, got) for the assertions.
std::pair<TableChecksum, TableChecksum> wait_for_the_join(PgClient& source, PgClient& sink,
                                                          std::chrono::seconds timeout) {
  TableChecksum want = table_checksum(source, kReferenceFlowPostgresOracle, {"ticket_id"});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  TableChecksum got;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sink.scalar("SELECT to_regclass('public.sport_event_activity') IS NOT NULL") == "t") {
      got = table_checksum(sink, "public.sport_event_activity", {"ticket_id"});
      if (got.rows == want.rows && got.checksum == want.checksum) break;
    }
    std::this_thread::sleep_for(500ms);
  }
  return {want, got};
}

// What compact_topics read and wrote.
struct Compaction {
  size_t read = 0;
  size_t written = 0;
  size_t tombstones_kept = 0;
  size_t tombstones_removed = 0;
};

// The mock cluster does not compact, so this does what compaction would have done: every
// topic named <from>.* is copied to <to>.* with the same partitions, keeping only the last
// message of each key (with its headers) in its partition and in its order. A key whose last
// message is a tombstone keeps it, or, for every second such key, loses it too, as after
// delete.retention.ms.
Compaction compact_topics(MockCluster& cluster, const std::string& from, const std::string& to) {
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstraps().c_str(), error, sizeof(error));
  rd_kafka_conf_set(conf, "group.id", "compactor", error, sizeof(error));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", error, sizeof(error));
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  if (consumer == nullptr) throw std::runtime_error(error);
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(consumer, 1, nullptr, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("compact_topics: no metadata");
  // Per partition, what is left to read (its high watermark) and what survives.
  struct Kept {
    int64_t offset;
    std::string key;
    std::optional<std::string> value;
    rd_kafka_headers_t* headers;
  };
  std::map<std::pair<std::string, int32_t>, int64_t> ends;
  std::map<std::pair<std::string, int32_t>, std::map<std::string, Kept>> last;
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(16);
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    std::string topic = metadata->topics[t].topic;
    if (!topic.starts_with(from + ".")) continue;
    int partitions = metadata->topics[t].partition_cnt;
    rd_kafka_mock_topic_create(cluster.get(), (to + topic.substr(from.size())).c_str(), partitions,
                               1);
    for (int32_t p = 0; p < partitions; ++p) {
      int64_t low = 0, high = 0;
      rd_kafka_query_watermark_offsets(consumer, topic.c_str(), p, &low, &high, 10000);
      if (high > low) ends[{topic, p}] = high;
      rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_assign(consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  Compaction result;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!ends.empty() && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::pair<std::string, int32_t> tp{rd_kafka_topic_name(m->rkt), m->partition};
      std::string key(static_cast<const char*>(m->key), m->key_len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR)
        headers = rd_kafka_headers_copy(headers);
      Kept kept{m->offset, key, std::nullopt, headers};
      if (m->payload != nullptr) kept.value.emplace(static_cast<const char*>(m->payload), m->len);
      auto [it, fresh] = last[tp].try_emplace(key, kept);
      if (!fresh) {
        if (it->second.headers != nullptr) rd_kafka_headers_destroy(it->second.headers);
        it->second = kept;
      }
      ++result.read;
      if (m->offset + 1 >= ends[tp]) ends.erase(tp);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  if (!ends.empty()) throw std::runtime_error("compact_topics: topics not read to their end");

  conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstraps().c_str(), error, sizeof(error));
  rd_kafka_conf_set(conf, "enable.idempotence", "true", error, sizeof(error));
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (producer == nullptr) throw std::runtime_error(error);
  for (auto& [tp, by_key] : last) {
    std::map<int64_t, Kept*> in_order;
    for (auto& [key, kept] : by_key) in_order[kept.offset] = &kept;
    std::string topic = to + tp.first.substr(from.size());
    for (auto& [offset, kept] : in_order) {
      if (!kept->value && (result.tombstones_kept + result.tombstones_removed) % 2 == 1) {
        ++result.tombstones_removed;
        if (kept->headers != nullptr) rd_kafka_headers_destroy(kept->headers);
        continue;
      }
      if (!kept->value) ++result.tombstones_kept;
      // librdkafka's RD_KAFKA_V_* macros cast their arguments unparenthesised.
      char* value = kept->value ? kept->value->data() : nullptr;
      size_t value_size = kept->value ? kept->value->size() : 0;
      rd_kafka_headers_t* headers =
          kept->headers != nullptr ? kept->headers : rd_kafka_headers_new(0);
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(tp.second),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(kept->key.data(), kept->key.size()), RD_KAFKA_V_VALUE(value, value_size),
          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error(std::string("compact_topics: ") + rd_kafka_err2str(err));
      ++result.written;
    }
  }
  rd_kafka_resp_err_t flushed = rd_kafka_flush(producer, 30000);
  rd_kafka_destroy(producer);
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error("compact_topics: no flush");
  return result;
}

// The reference flow over Kafka (three driving partitions), as pipeline text.
std::string flows_over_kafka(const std::string& name, PgServer& server,
                             const std::string& brokers) {
  std::string text = reference_flow_pipeline(
      name + "f", "postgres", server.url("postgres", "", "src_" + name),
      server.url("postgres", "", "dst_" + name), "[insert, update, delete]");
  text.insert(text.find("sink:"), "  tables: [sport_event, ticket, customer, ticket_activity]\n");
  return text + "transport:\n  type: kafka\n  brokers: " + brokers +
         "\n  partitions: 3\n  properties:\n    session.timeout.ms: 6000\n";
}

TEST_F(Kafka, FlowsAcrossTwoApplyProcessesEqualTheJoin) {
  create_scenario(*source_);
  std::string flows_file = write_pipeline_file(
      name_ + "_flows", flows_over_kafka(name_, *server_, cluster_.bootstraps()));
  auto run = [&](const char* command) {
    return std::make_unique<SluiceProcess>(std::vector<std::string>{command, "-c", flows_file});
  };
  auto capture = run("capture");
  auto apply_a = run("apply");
  auto apply_b = run("apply");
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    scenario_changes(*source_, rng);
    std::this_thread::sleep_for(20ms);
  }
  auto [want, got] = wait_for_the_join(*source_, *sink_, 90s);
  EXPECT_GT(want.rows, 1000);
  EXPECT_EQ(got.rows, want.rows) << apply_a->stderr_text() << apply_b->stderr_text();
  EXPECT_EQ(got.checksum, want.checksum);
  for (auto* p : {apply_a.get(), apply_b.get(), capture.get()}) {
    p->kill(SIGTERM);
    EXPECT_EQ(p->wait(30s), 0) << p->stderr_text();
  }
}

// A tombstone of `key` in the partition capture would write it to.
void produce_tombstone(MockCluster& cluster, const std::string& topic, const std::string& key,
                       int partitions) {
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstraps().c_str(), error, sizeof(error));
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  ASSERT_NE(producer, nullptr) << error;
  int32_t partition = kafka::partition_for(key, partitions);
  EXPECT_EQ(
      rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_END),
      RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(producer);
}

// A new apply process, with no flow state and an empty warehouse, rebuilds the flow from
// topics that compaction has left with the last message of each key: for a deleted row its
// tombstone, or nothing once the tombstone expired too. The copy keeps the pipeline name
// (so capture later resumes from its position and replication slot) under another
// topic_prefix; a fresh warehouse database holds no Kafka offsets, so nothing of the first
// run's state reaches the new worker but the compacted topics.
TEST_F(Kafka, ANewWorkerRebuildsFlowsFromCompactedTopics) {
  create_scenario(*source_);
  const std::string pipeline = name_ + "f";
  std::string text = flows_over_kafka(name_, *server_, cluster_.bootstraps());
  std::string first_file = write_pipeline_file(name_ + "_first", text);
  std::mt19937 rng(11);
  {
    auto capture =
        std::make_unique<SluiceProcess>(std::vector<std::string>{"capture", "-c", first_file});
    auto apply =
        std::make_unique<SluiceProcess>(std::vector<std::string>{"apply", "-c", first_file});
    // Changes only after the snapshot, so that the topics hold versions to compact away.
    auto [snapshot_want, snapshot_got] = wait_for_the_join(*source_, *sink_, 90s);
    ASSERT_EQ(snapshot_got.checksum, snapshot_want.checksum) << apply->stderr_text();
    for (int i = 0; i < 200; ++i) {
      scenario_changes(*source_, rng);
      std::this_thread::sleep_for(10ms);
    }
    auto [want, got] = wait_for_the_join(*source_, *sink_, 90s);
    ASSERT_EQ(got.rows, want.rows) << apply->stderr_text();
    ASSERT_EQ(got.checksum, want.checksum);
    for (auto* p : {apply.get(), capture.get()}) {
      p->kill(SIGTERM);
      EXPECT_EQ(p->wait(30s), 0) << p->stderr_text();
    }
  }

  const std::string compacted_prefix = "compacted." + pipeline;
  Compaction compaction = compact_topics(cluster_, "sluice." + pipeline, compacted_prefix);
  EXPECT_LT(compaction.written, compaction.read);
  EXPECT_GT(compaction.tombstones_kept, 0u);
  EXPECT_GT(compaction.tombstones_removed, 0u);

  server_->create_database("new_" + name_);
  PgClient fresh(server_->url("postgres", "", "new_" + name_));
  std::string new_text = text;
  const std::string old_sink = server_->url("postgres", "", "dst_" + name_);
  new_text.replace(new_text.find(old_sink), old_sink.size(),
                   server_->url("postgres", "", "new_" + name_));
  new_text.insert(new_text.find("  type: kafka"), "  topic_prefix: " + compacted_prefix + "\n");
  std::string new_file = write_pipeline_file(name_ + "_new", new_text);
  auto run = [&](const char* command) {
    return std::make_unique<SluiceProcess>(std::vector<std::string>{command, "-c", new_file});
  };
  {
    auto apply = run("apply");
    auto [want, got] = wait_for_the_join(*source_, fresh, 90s);
    EXPECT_EQ(got.rows, want.rows) << apply->stderr_text();
    EXPECT_EQ(got.checksum, want.checksum);
    apply->kill(SIGTERM);
    EXPECT_EQ(apply->wait(30s), 0) << apply->stderr_text();
  }
  // A delete capture wrote while no apply ran, of which compaction left only the tombstone:
  // the warehouse holds the row, and the next apply reads that tombstone first.
  std::string gone = source_->scalar("SELECT min(ticket_id) FROM ticket_activity");
  source_->exec("DELETE FROM ticket_activity WHERE ticket_id = " + gone);
  produce_tombstone(cluster_, compacted_prefix + ".public.ticket_activity",
                    R"({"ticket_id":")" + gone + R"("})", 3);
  // Another apply, now with warehouse offsets and without local flow state (as on a new
  // machine), rebuilds its state from the compacted topics up to those offsets and applies
  // the tombstone; then capture resumes into the topics.
  auto apply = std::make_unique<SluiceProcess>(
      std::vector<std::string>{"apply", "-c", new_file},
      std::map<std::string, std::string>{{"XDG_STATE_HOME", (test_dir() / "new_state").string()}});
  {
    auto [want, got] = wait_for_the_join(*source_, fresh, 90s);
    EXPECT_EQ(got.rows, want.rows) << apply->stderr_text();
    EXPECT_EQ(got.checksum, want.checksum);
  }
  auto capture = run("capture");
  for (int i = 0; i < 100; ++i) {
    scenario_changes(*source_, rng);
    std::this_thread::sleep_for(10ms);
  }
  auto [want, got] = wait_for_the_join(*source_, fresh, 90s);
  EXPECT_EQ(got.rows, want.rows) << capture->stderr_text() << apply->stderr_text();
  EXPECT_EQ(got.checksum, want.checksum);
  EXPECT_NE(apply->stderr_text().find("0 resumed"), std::string::npos) << apply->stderr_text();
  for (auto* p : {apply.get(), capture.get()}) {
    p->kill(SIGTERM);
    EXPECT_EQ(p->wait(30s), 0) << p->stderr_text();
  }
}

// Runs `command --until-caught-up` to its end.
ProcessResult caught_up(const char* command, const std::string& file,
                        const std::map<std::string, std::string>& env = {}) {
  return SluiceProcess::run_to_completion({command, "--until-caught-up", "-c", file}, 180s, env);
}

// The reference scenario in the source, its flow over Kafka in a pipeline file, and capture
// run to its end; returns the file.
std::string capture_reference_flow(PgClient& source, PgServer& server, const std::string& name,
                                   const std::string& brokers) {
  create_scenario(source);
  std::string file = write_pipeline_file(name + "_flows", flows_over_kafka(name, server, brokers));
  ProcessResult capture = caught_up("capture", file);
  EXPECT_EQ(capture.exit_code, 0) << capture.stderr_text;
  return file;
}

// A restarted apply process resumes every partition from its flow state on disk: it writes
// what changed while it was down, not every destination row again.
TEST_F(Kafka, ARestartedWorkerResumesFromItsFlowState) {
  std::string file = capture_reference_flow(*source_, *server_, name_, cluster_.bootstraps());
  ASSERT_FALSE(HasFailure());
  ProcessResult capture;
  ProcessResult apply = caught_up("apply", file);
  ASSERT_EQ(apply.exit_code, 0) << apply.stderr_text;
  auto [first_want, first_got] = wait_for_the_join(*source_, *sink_, 10s);
  ASSERT_EQ(first_got.checksum, first_want.checksum) << apply.stderr_text;
  ASSERT_GT(first_got.rows, 1000);

  sink_->exec(
      "CREATE TABLE destination_writes (n int);"
      "CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN INSERT INTO destination_writes VALUES (1); RETURN NULL; END $$;"
      "CREATE TRIGGER count_writes AFTER INSERT OR UPDATE ON public.sport_event_activity "
      "FOR EACH ROW EXECUTE FUNCTION count_write()");
  // Two purchases and a customer with three activities.
  source_->exec(
      "INSERT INTO ticket_activity VALUES (2001, 3, now(), now()), (2002, 4, now(), now());"
      "UPDATE customer SET name = 'Renamed 7' WHERE customer_id = 7");
  capture = caught_up("capture", file);
  ASSERT_EQ(capture.exit_code, 0) << capture.stderr_text;
  apply = caught_up("apply", file);
  ASSERT_EQ(apply.exit_code, 0) << apply.stderr_text;
  auto [want, got] = wait_for_the_join(*source_, *sink_, 10s);
  EXPECT_EQ(got.rows, want.rows) << apply.stderr_text;
  EXPECT_EQ(got.checksum, want.checksum);
  EXPECT_NE(apply.stderr_text.find(" 0 rebuilt"), std::string::npos) << apply.stderr_text;
  int writes = std::stoi(sink_->scalar("SELECT count(*) FROM destination_writes"));
  EXPECT_GE(writes, 5);
  EXPECT_LE(writes, 10) << "the restart wrote rows the warehouse already held";
}

// kill -9 at each named point of apply with flows: during the first rebuild (part of the
// state committed, nothing in the warehouse yet), between the warehouse commit and the
// state commit, and after both. The next apply ends equal to the join.
TEST_F(Kafka, AKillAtEachPointOfApplyWithFlowsConverges) {
  std::string file = capture_reference_flow(*source_, *server_, name_, cluster_.bootstraps());
  ASSERT_FALSE(HasFailure());
  ProcessResult capture;
  std::mt19937 rng(5);
  for (const char* point :
       {"after_replay_state_commit", "after_warehouse_commit", "after_state_commit"}) {
    SCOPED_TRACE(point);
    for (int i = 0; i < 20; ++i) scenario_changes(*source_, rng);
    capture = caught_up("capture", file);
    ASSERT_EQ(capture.exit_code, 0) << capture.stderr_text;
    ProcessResult killed = caught_up("apply", file, {{"SLUICE_CRASH_AT", point}});
    EXPECT_EQ(killed.exit_code, 128 + 9) << killed.stderr_text;
    ProcessResult apply = caught_up("apply", file);
    ASSERT_EQ(apply.exit_code, 0) << apply.stderr_text;
    auto [want, got] = wait_for_the_join(*source_, *sink_, 10s);
    EXPECT_EQ(got.rows, want.rows) << apply.stderr_text;
    EXPECT_EQ(got.checksum, want.checksum);
  }
}

// A partition comes back to a process whose flow state is behind the warehouse: another
// process (with state of its own) applied driving and lookup changes meanwhile, and more
// arrived while none ran. The resumed state replays the driving messages it missed and
// writes what the lookup changes since its stamp do.
TEST_F(Kafka, AResumedPartitionCatchesUpWithWhatAnotherWorkerWrote) {
  create_scenario(*source_);
  std::string file = write_pipeline_file(name_ + "_flows",
                                         flows_over_kafka(name_, *server_, cluster_.bootstraps()));
  const std::map<std::string, std::string> other_machine{
      {"XDG_STATE_HOME", (test_dir() / "other_state").string()}};
  std::mt19937 rng(9);
  auto changes_then_apply = [&](const std::map<std::string, std::string>& env) {
    for (int i = 0; i < 30; ++i) scenario_changes(*source_, rng);
    ProcessResult capture = caught_up("capture", file);
    ASSERT_EQ(capture.exit_code, 0) << capture.stderr_text;
    ProcessResult apply = caught_up("apply", file, env);
    ASSERT_EQ(apply.exit_code, 0) << apply.stderr_text;
    auto [want, got] = wait_for_the_join(*source_, *sink_, 10s);
    EXPECT_EQ(got.rows, want.rows) << apply.stderr_text;
    EXPECT_EQ(got.checksum, want.checksum);
    last_apply_log_ = apply.stderr_text;
  };
  changes_then_apply({});
  changes_then_apply(other_machine);
  changes_then_apply({});
  EXPECT_NE(last_apply_log_.find(" 0 rebuilt"), std::string::npos) << last_apply_log_;
}

// A lookup change that fans out to 601 destination rows, with batch.max_rows 50: written in
// slices of one warehouse transaction, so a kill after the first slice leaves none of them
// visible and the next apply writes them all.
TEST_F(Kafka, ALookupFanOutIsWrittenInSlicesOfOneWarehouseTransaction) {
  create_scenario(*source_);
  source_->exec("UPDATE ticket_activity SET purchased_by = 1 WHERE ticket_id <= 600");
  std::string text = flows_over_kafka(name_, *server_, cluster_.bootstraps());
  text.replace(text.find("max_rows: 500"), 13, "max_rows: 50");
  std::string file = write_pipeline_file(name_ + "_flows", text);
  ProcessResult capture = caught_up("capture", file);
  ASSERT_EQ(capture.exit_code, 0) << capture.stderr_text;
  ProcessResult apply = caught_up("apply", file);
  ASSERT_EQ(apply.exit_code, 0) << apply.stderr_text;

  source_->exec("UPDATE customer SET name = 'Fanned out' WHERE customer_id = 1");
  capture = caught_up("capture", file);
  ASSERT_EQ(capture.exit_code, 0) << capture.stderr_text;
  ProcessResult killed = caught_up("apply", file, {{"SLUICE_CRASH_AT", "after_slice"}});
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.stderr_text;
  const std::string renamed =
      "SELECT count(*) FROM public.sport_event_activity WHERE name = 'Fanned out'";
  EXPECT_EQ(sink_->scalar(renamed), "0");
  apply = caught_up("apply", file);
  ASSERT_EQ(apply.exit_code, 0) << apply.stderr_text;
  EXPECT_EQ(sink_->scalar(renamed),
            source_->scalar("SELECT count(*) FROM ticket_activity WHERE purchased_by = 1"));
  auto [want, got] = wait_for_the_join(*source_, *sink_, 10s);
  EXPECT_EQ(got.rows, want.rows) << apply.stderr_text;
  EXPECT_EQ(got.checksum, want.checksum);
}

}  // namespace
}  // namespace sluice::test
