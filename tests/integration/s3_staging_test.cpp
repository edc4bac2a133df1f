// sluice's S3 client and Redshift S3 staging against a local S3 endpoint that checks
// every request's signature with botocore (s3_endpoint.py). The COPY itself needs
// Redshift; PostgreSQL refuses it, which is what the leak test relies on.
#include "sink/postgres/s3_staging.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/error.hpp"
#include "harness/pg_server.hpp"
#include "harness/test_dir.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/postgres/s3_snapshot.hpp"
#include "sink/postgres/sink_admin.hpp"
#include "sink/postgres/staging_merge.hpp"
#include "sink/s3/s3_client.hpp"

namespace sluice::test {
namespace {

using namespace sluice::s3;
using namespace sluice::warehouse;

using namespace std::string_literals;

constexpr const char* kAccessKey = "AKIDLOCALTEST";
constexpr const char* kSecret = "local/Secret+Key0123456789abcdefghijklmn";
constexpr const char* kBucket = "staging";

bool accepts_connections(int port) {
  return run_command({"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port)},
                     test_dir() / "port_probe.log") == 0;
}

// s3_endpoint.py on a free loopback port, storing objects in its own folder and moving
// deleted ones to another.
class LocalS3 {
 public:
  explicit LocalS3(int fail_first = 0) : port_(free_port()), dir_(make_subdir("s3")) {
    std::filesystem::path log = dir_ / "endpoint.log";
    pid_ = start_command({"python3", SLUICE_SOURCE_DIR "/tests/integration/s3_endpoint.py",
                          "--port", std::to_string(port_), "--dir", (dir_ / "data").string(),
                          "--access-key", kAccessKey, "--secret-key", kSecret, "--fail-first",
                          std::to_string(fail_first), "--deleted-dir", (dir_ / "deleted").string()},
                         log);
    stop_when_this_process_dies("kill " + std::to_string(pid_), dir_ / "stop.log");
    for (int i = 0; i < 200 && !accepts_connections(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!accepts_connections(port_))
      throw std::runtime_error("s3_endpoint.py did not start: " + read_file(log));
  }
  ~LocalS3() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }

  S3StagingConfig config(const std::string& secret = kSecret) const {
    S3StagingConfig config;
    config.enabled = true;
    config.bucket = kBucket;
    config.region = "eu-west-1";
    config.endpoint = "http://127.0.0.1:" + std::to_string(port_);
    config.access_key_id = kAccessKey;
    config.secret_access_key = secret;
    return config;
  }
  std::filesystem::path object(const std::string& key) const {
    return dir_ / "data" / kBucket / key;
  }
  std::filesystem::path deleted(const std::string& key) const {
    return dir_ / "deleted" / kBucket / key;
  }
  std::string log() const { return read_file(dir_ / "endpoint.log"); }

 private:
  int port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  int status = Z_OK;
  while (status == Z_OK) {
    out.resize(out.size() + (1 << 20));
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    status = inflate(&stream, Z_NO_FLUSH);
  }
  EXPECT_EQ(status, Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

// The files below `folder` by name, which is upload order for up to nine objects: sluice
// numbers them.
std::vector<std::filesystem::path> files_under(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::exists(folder)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::ranges::sort(files);
  return files;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(S3Client, UploadsExactBytesAndDeletes) {
  LocalS3 s3;
  S3Client client(s3.config());
  std::string body = "a,b\n\0\xff\"quoted\"\n Zürich 東京\n"s;
  std::string key = "sluice/pipe/odd name$+=ü.csv.gz";
  ASSERT_TRUE(client.put_object(key, body).ok()) << s3.log();
  ASSERT_TRUE(std::filesystem::exists(s3.object(key))) << s3.log();
  EXPECT_EQ(read_file(s3.object(key)), body);
  ASSERT_TRUE(client.delete_object(key).ok()) << s3.log();
  EXPECT_FALSE(std::filesystem::exists(s3.object(key))) << s3.log();
}

TEST(S3Client, SessionTokenIsSigned) {
  LocalS3 s3;
  S3StagingConfig config = s3.config();
  config.session_token = "FwoGZXIvYXdzEXAMPLETOKEN";
  S3Client client(config);
  ASSERT_TRUE(client.put_object("k", "body").ok()) << s3.log();
  EXPECT_EQ(read_file(s3.object("k")), "body");
}

// A 4xx is not retried: it is refused at once, with S3's Code and Message.
TEST(S3Client, WrongSecretIsAClearErrorWithoutTheSecret) {
  LocalS3 s3;
  std::string wrong = "wrong/Secret+Key0123456789abcdefghijklmn";
  S3Client client(s3.config(wrong));
  Result<void> put = client.put_object("sluice/pipe/1.csv.gz", "rows");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code(), Errc::kRefused);
  EXPECT_EQ(put.error().server_code(), "SignatureDoesNotMatch");
  const std::string& message = put.error().message();
  EXPECT_NE(message.find("s3: PUT s3://staging/sluice/pipe/1.csv.gz: HTTP 403 "
                         "SignatureDoesNotMatch: The request signature we calculated"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_EQ(message.find("Signature="), std::string::npos) << message;
  EXPECT_EQ(message.find("Authorization"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(s3.object("sluice/pipe/1.csv.gz")));
}

TEST(S3Client, RetriesServerErrors) {
  LocalS3 s3(/*fail_first=*/2);
  S3Client client(s3.config());
  client.set_first_backoff(std::chrono::milliseconds(10));
  ASSERT_TRUE(client.put_object("k", "after two 503s").ok()) << s3.log();
  EXPECT_EQ(read_file(s3.object("k")), "after two 503s");
}

TEST(S3Client, ServerErrorsOutlastingTheRetriesAreALostConnection) {
  LocalS3 s3(/*fail_first=*/5);
  S3Client client(s3.config());
  client.set_first_backoff(std::chrono::milliseconds(1));
  Result<void> put = client.put_object("k", "rows");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code(), Errc::kConnectionLost);
  EXPECT_TRUE(put.error().retriable());
  EXPECT_EQ(put.error().server_code(), "SlowDown");
  EXPECT_EQ(put.error().message(),
            "s3: PUT s3://staging/k: HTTP 503 SlowDown: Please reduce your request rate. (after 5 "
            "attempts)");
  EXPECT_FALSE(std::filesystem::exists(s3.object("k")));
}

TEST(S3Client, UnreachableEndpointIsALostConnectionAfterRetries) {
  S3StagingConfig config;
  config.bucket = kBucket;
  config.region = "eu-west-1";
  config.endpoint = "http://127.0.0.1:" + std::to_string(free_port());
  config.access_key_id = kAccessKey;
  config.secret_access_key = kSecret;
  S3Client client(config);
  client.set_first_backoff(std::chrono::milliseconds(1));
  Result<void> put = client.put_object("k", "rows");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code(), Errc::kConnectionLost);
  EXPECT_EQ(put.error().server_code(), "");
  EXPECT_NE(put.error().message().find("(after 5 attempts)"), std::string::npos)
      << put.error().message();
}

TableSchemaPtr sample_table() {
  auto table = std::make_shared<TableSchema>();
  table->name = "orders";
  table->columns = {{"id", LogicalType::kInt64, "bigint", true},
                    {"note", LogicalType::kText, "text", false}};
  return table;
}

Change insert(const TableSchemaPtr& table, std::string_view id, std::optional<std::string> note) {
  Change change;
  change.table = table;
  change.after.append(id);
  if (note)
    change.after.append(*note);
  else
    change.after.append_null();
  return change;
}

// The flush uploads its rows as gzip-compressed CSV; PostgreSQL then refuses Redshift's
// COPY FROM 's3://...', and the error must name the object but hold none of the secrets
// the statement carries.
TEST(S3Staging, FailedCopyNamesTheObjectButNotTheSecrets) {
  LocalS3 s3;
  PgServer& server = shared_pg_server();
  std::string database = pipeline_name_for_test("s3");
  server.create_database(database);
  PgConnection conn(server.url("postgres", "", database), PgConnection::Mode::kNormal, "sink");
  S3StagingConfig config = s3.config();
  config.session_token = "FwoGZXIvYXdzEXAMPLETOKEN";
  config.min_rows = 2;
  S3Staging staging(config, "pipe");
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  TableSchemaPtr table = sample_table();
  StagingMerge merge(conn, *dialect, table, "public", 0, &staging);
  std::vector<Change> changes = {insert(table, "1", "tab\there, \"quote\"\nnewline"),
                                 insert(table, "2", ""), insert(table, "3", std::nullopt)};
  for (const Change& change : changes) merge.add(change);

  Result<void> flushed = merge.flush();
  ASSERT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.error().code(), Errc::kRefused);
  EXPECT_EQ(flushed.error().server_code(), "42601");
  const std::string& message = flushed.error().message();
  EXPECT_NE(message.find("sink: COPY sluice_stage_0 FROM s3://staging/sluice/pipe/"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
  EXPECT_EQ(message.find(config.session_token), std::string::npos) << message;

  std::vector<std::filesystem::path> objects = files_under(s3.object("sluice/pipe"));
  ASSERT_EQ(objects.size(), 1u) << s3.log();
  EXPECT_EQ(objects[0].extension(), ".gz");
  EXPECT_EQ(gunzip(read_file(objects[0])),
            "1,U,\0,\0,\"1\",\"tab\there, \"\"quote\"\"\nnewline\"\n"
            "2,U,\0,\0,\"2\",\"\"\n"
            "3,U,\0,\0,\"3\",\0\n"s);
  staging.delete_loaded();
  EXPECT_FALSE(std::filesystem::exists(objects[0])) << s3.log();
}

// PostgreSQL's full error message quotes the statement around the error position; a
// statement holding secrets must fail with the primary message only.
TEST(S3Staging, SecretStatementsFailWithoutQuotingTheStatement) {
  PgServer& server = shared_pg_server();
  std::string database = pipeline_name_for_test("s3");
  server.create_database(database);
  PgConnection conn(server.url("postgres", "", database), PgConnection::Mode::kNormal, "sink");
  std::string sql = fmt::format("SELECT '{}' FROM", kSecret);
  EXPECT_NE(message_of([&] { conn.exec(sql); }).find(kSecret), std::string::npos)
      << "the plain path quotes the statement, so this test shows what try_exec_secret avoids";
  Result<void> secret = conn.try_exec_secret(sql, "SELECT of a secret");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().message(), "sink: SELECT of a secret: syntax error at end of input");
}

// COPY text of rows 1..`rows` of sample_table(), 10000 to a chunk. The notes cycle through
// NULL, the empty string, and text with a tab, quotes and a backslash.
class GeneratedRows : public CopyTextReader {
 public:
  explicit GeneratedRows(size_t rows) : rows_(rows) {}
  std::optional<std::string_view> next_chunk() override {
    chunk_.clear();
    for (size_t end = std::min(next_ + 10000, rows_ + 1); next_ < end; ++next_) {
      if (next_ % 3 == 0)
        chunk_ += fmt::format("{}\t\\N\n", next_);
      else if (next_ % 3 == 1)
        chunk_ += fmt::format("{}\t\n", next_);
      else
        chunk_ += fmt::format("{}\tn{}\\t\"q\"\\\\\n", next_, next_);
    }
    if (chunk_.empty()) return std::nullopt;
    return chunk_;
  }

 private:
  size_t rows_;
  size_t next_ = 1;
  std::string chunk_;
};

// GeneratedRows(rows) as snapshot CSV: the values of the target's columns.
std::string generated_csv(size_t rows) {
  std::string csv;
  for (size_t i = 1; i <= rows; ++i) {
    if (i % 3 == 0)
      csv += fmt::format("\"{}\",", i) + "\0\n"s;
    else if (i % 3 == 1)
      csv += fmt::format("\"{}\",\"\"\n", i);
    else
      csv += fmt::format("\"{}\",\"n{}\t\"\"q\"\"\\\"\n", i, i);
  }
  return csv;
}

// A Redshift sink on a PostgreSQL database (with Redshift's GETDATE()) staging through `s3`,
// whose orders table holds one row from before the snapshot.
class S3Snapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    PgServer& server = shared_pg_server();
    std::string database = pipeline_name_for_test("s3");
    server.create_database(database);
    config_.name = "pipe";
    config_.sink.type = SinkType::kRedshift;
    config_.sink.url = server.url("postgres", "", database);
    config_.sink.schema = "public";
    config_.sink.s3 = s3_.config();
    config_.sink.s3.session_token = "FwoGZXIvYXdzEXAMPLETOKEN";
    conn_.emplace(config_.sink.url, PgConnection::Mode::kNormal, "test");
    conn_->exec(
        "CREATE FUNCTION getdate() RETURNS timestamp LANGUAGE sql AS 'SELECT now()::timestamp'");
    sink_ = warehouse::make_sink(config_);
    sink_->prepare_table(*table_);
    conn_->exec("INSERT INTO orders VALUES (0, 'before')");
  }

  // "id:note,..." in key order; "" when the table is empty.
  std::string orders() {
    return conn_
        ->scalar(
            "SELECT string_agg(id || ':' || coalesce(note, 'NULL'), ',' ORDER BY id) FROM "
            "orders")
        .value_or("");
  }

  LocalS3 s3_;
  PipelineConfig config_;
  TableSchemaPtr table_ = sample_table();
  std::optional<PgConnection> conn_;
  std::unique_ptr<Sink> sink_;
};

// PostgreSQL refuses Redshift's COPY ... MANIFEST, so a large table's snapshot shows its
// parts uploaded, the error, the rollback and the deletion, but not the load.
TEST_F(S3Snapshot, LargeTableUploadsPartsThenOneManifestCopy) {
  const size_t rows = 2 * SnapshotPartLimits{}.max_rows + 3;
  GeneratedRows source(rows);
  std::string message = message_of([&] { sink_->load_snapshot(*table_, source); });
  EXPECT_NE(message.find("sink: COPY \"public\".\"orders\" FROM s3://staging/sluice/pipe/"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(".manifest: "), std::string::npos) << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
  EXPECT_EQ(message.find(config_.sink.s3.session_token), std::string::npos) << message;
  EXPECT_EQ(orders(), "0:before");

  EXPECT_TRUE(files_under(s3_.object("sluice")).empty()) << s3_.log();
  std::vector<std::filesystem::path> deleted = files_under(s3_.deleted("sluice/pipe"));
  ASSERT_EQ(deleted.size(), 4u) << s3_.log();
  std::string csv;
  std::vector<std::string> part_urls;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(deleted[i].string().ends_with(fmt::format("-{}.csv.gz", i + 1))) << deleted[i];
    std::string part = gunzip(read_file(deleted[i]));
    EXPECT_LE(static_cast<size_t>(std::ranges::count(part, '\n')), SnapshotPartLimits{}.max_rows);
    csv += part;
    part_urls.push_back("s3://staging/" +
                        std::filesystem::relative(deleted[i], s3_.deleted("")).string());
  }
  EXPECT_TRUE(csv == generated_csv(rows)) << "the parts do not hold exactly the source rows";
  EXPECT_EQ(read_file(deleted[3]), copy_manifest_json(part_urls));
}

// A table of fewer than min_rows rows loads by INSERT, which PostgreSQL runs, and uses no S3.
TEST_F(S3Snapshot, SmallTableLoadsByInsert) {
  GeneratedRows source(config_.sink.s3.min_rows - 1);
  sink_->load_snapshot(*table_, source);
  EXPECT_EQ(*conn_->scalar("SELECT count(*) FROM orders"),
            std::to_string(config_.sink.s3.min_rows - 1));
  EXPECT_EQ(*conn_->scalar("SELECT count(*) FROM orders WHERE note IS NULL"),
            std::to_string((config_.sink.s3.min_rows - 1) / 3));
  EXPECT_EQ(*conn_->scalar("SELECT note FROM orders WHERE id = 2"), "n2\t\"q\"\\");
  EXPECT_EQ(*conn_->scalar("SELECT note FROM orders WHERE id = 4"), "");
  EXPECT_TRUE(files_under(s3_.object("")).empty()) << s3_.log();
  EXPECT_TRUE(files_under(s3_.deleted("")).empty()) << s3_.log();
}

// S3Snapshot's sink with the flushes of a stream batch staged through S3 from two changes
// on: a failure there comes back from apply, rolled back, and the sink goes on.
class S3StreamApply : public S3Snapshot {
 protected:
  void stage_through(const S3StagingConfig& s3) {
    config_.sink.s3 = s3;
    config_.sink.s3.min_rows = 2;
    sink_ = warehouse::make_sink(config_);
  }

  ChangeBatch inserts(const std::vector<std::string>& ids) const {
    ChangeBatch batch;
    for (const std::string& id : ids) batch.changes.push_back(insert(table_, id, "new " + id));
    return batch;
  }

  std::optional<Position> stored_position() {
    return sink_->checkpoint(CheckpointKind::kSourcePosition).position;
  }

  // The sink is still usable: a flush too small for S3 loads by INSERT and commits.
  void expect_small_batch_applies() {
    Result<void> applied = sink_->apply(inserts({"4"}), Checkpoint{.position = Lsn{0x300}});
    ASSERT_TRUE(applied.ok()) << applied.error().message();
    EXPECT_EQ(orders(), "0:before,4:new 4");
    EXPECT_EQ(stored_position(), Position(Lsn{0x300}));
  }
};

TEST_F(S3StreamApply, ARefusedUploadRollsBackAndTheSinkAppliesAfterwards) {
  std::string wrong = "wrong/Secret+Key0123456789abcdefghijklmn";
  stage_through(s3_.config(wrong));
  Result<void> refused = sink_->apply(inserts({"1", "2", "3"}), Checkpoint{.position = Lsn{0x200}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Errc::kRefused) << refused.error().message();
  EXPECT_EQ(refused.error().server_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(refused.error().message().find(wrong), std::string::npos) << refused.error().message();
  EXPECT_EQ(orders(), "0:before");
  EXPECT_FALSE(stored_position().has_value());
  EXPECT_TRUE(files_under(s3_.object("")).empty()) << s3_.log();
  expect_small_batch_applies();
}

// PostgreSQL refuses Redshift's COPY FROM 's3://...' as a warehouse may refuse a COPY: the
// error keeps its SQLSTATE but none of the secrets, and the uploaded object is deleted.
TEST_F(S3StreamApply, ARefusedCopyRollsBackDeletesTheObjectAndTheSinkAppliesAfterwards) {
  stage_through(config_.sink.s3);
  Result<void> refused = sink_->apply(inserts({"1", "2", "3"}), Checkpoint{.position = Lsn{0x200}});
  ASSERT_FALSE(refused.ok());
  const Error& error = refused.error();
  EXPECT_EQ(error.code(), Errc::kRefused) << error.message();
  EXPECT_EQ(error.server_code(), "42601");
  EXPECT_NE(error.message().find("sink: COPY sluice_stage_0 FROM s3://staging/sluice/pipe/"),
            std::string::npos)
      << error.message();
  EXPECT_EQ(error.message().find(kSecret), std::string::npos) << error.message();
  EXPECT_EQ(error.message().find(config_.sink.s3.session_token), std::string::npos)
      << error.message();
  EXPECT_EQ(orders(), "0:before");
  EXPECT_FALSE(stored_position().has_value());
  EXPECT_TRUE(files_under(s3_.object("")).empty()) << s3_.log();
  EXPECT_EQ(files_under(s3_.deleted("sluice/pipe")).size(), 1u) << s3_.log();
  expect_small_batch_applies();
}

}  // namespace
}  // namespace sluice::test
