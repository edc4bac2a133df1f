// sluice's S3 client and Redshift S3 staging against a local S3 endpoint that checks
// every request's signature with botocore (s3_endpoint.py). The COPY itself needs
// Redshift; PostgreSQL refuses it, which is what the leak test relies on.
#include "sink/postgres/s3_staging.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/error.hpp"
#include "harness/pg_server.hpp"
#include "harness/test_dir.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/postgres/staging_merge.hpp"
#include "sink/s3/s3_client.hpp"

namespace sluice::test {
namespace {

using namespace std::string_literals;

constexpr const char* kAccessKey = "AKIDLOCALTEST";
constexpr const char* kSecret = "local/Secret+Key0123456789abcdefghijklmn";
constexpr const char* kBucket = "staging";

bool accepts_connections(int port) {
  return run_command({"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port)},
                     test_dir() / "port_probe.log") == 0;
}

// s3_endpoint.py on a free loopback port, storing objects in its own folder.
class LocalS3 {
 public:
  explicit LocalS3(int fail_first = 0) : port_(free_port()), dir_(make_subdir("s3")) {
    std::filesystem::path log = dir_ / "endpoint.log";
    pid_ = start_command(
        {"python3", SLUICE_SOURCE_DIR "/tests/integration/s3_endpoint.py", "--port",
         std::to_string(port_), "--dir", (dir_ / "data").string(), "--access-key", kAccessKey,
         "--secret-key", kSecret, "--fail-first", std::to_string(fail_first)},
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
  std::string log() const { return read_file(dir_ / "endpoint.log"); }

 private:
  int port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
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
  client.put_object(key, body);
  ASSERT_TRUE(std::filesystem::exists(s3.object(key))) << s3.log();
  EXPECT_EQ(read_file(s3.object(key)), body);
  client.delete_object(key);
  EXPECT_FALSE(std::filesystem::exists(s3.object(key))) << s3.log();
}

TEST(S3Client, SessionTokenIsSigned) {
  LocalS3 s3;
  S3StagingConfig config = s3.config();
  config.session_token = "FwoGZXIvYXdzEXAMPLETOKEN";
  S3Client client(config);
  client.put_object("k", "body");
  EXPECT_EQ(read_file(s3.object("k")), "body");
}

// A 4xx is not retried: it throws FatalError with S3's Code and Message at once.
TEST(S3Client, WrongSecretIsAClearErrorWithoutTheSecret) {
  LocalS3 s3;
  std::string wrong = "wrong/Secret+Key0123456789abcdefghijklmn";
  S3Client client(s3.config(wrong));
  std::string message;
  try {
    client.put_object("sluice/pipe/1.csv.gz", "rows");
  } catch (const FatalError& e) {
    message = e.what();
  }
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
  client.put_object("k", "after two 503s");
  EXPECT_EQ(read_file(s3.object("k")), "after two 503s");
}

TEST(S3Client, UnreachableEndpointIsAConnectionErrorAfterRetries) {
  S3StagingConfig config;
  config.bucket = kBucket;
  config.region = "eu-west-1";
  config.endpoint = "http://127.0.0.1:" + std::to_string(free_port());
  config.access_key_id = kAccessKey;
  config.secret_access_key = kSecret;
  S3Client client(config);
  client.set_first_backoff(std::chrono::milliseconds(1));
  try {
    client.put_object("k", "rows");
    FAIL() << "no error";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("(after 5 attempts)"), std::string::npos) << e.what();
  }
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

  std::string message = message_of([&] { merge.flush(); });
  EXPECT_NE(message.find("sink: COPY sluice_stage_0 FROM s3://staging/sluice/pipe/"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
  EXPECT_EQ(message.find(config.session_token), std::string::npos) << message;

  std::vector<std::filesystem::path> objects;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(s3.object("sluice/pipe")))
    objects.push_back(entry.path());
  ASSERT_EQ(objects.size(), 1u) << s3.log();
  EXPECT_EQ(objects[0].extension(), ".gz");
  EXPECT_EQ(gunzip(read_file(objects[0])),
            "1,U,\0,\"1\",\"tab\there, \"\"quote\"\"\nnewline\"\n"
            "2,U,\0,\"2\",\"\"\n"
            "3,U,\0,\"3\",\0\n"s);
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
      << "the plain path quotes the statement, so this test shows what exec_secret avoids";
  EXPECT_EQ(message_of([&] { conn.exec_secret(sql, "SELECT of a secret"); }),
            "sink: SELECT of a secret: syntax error at end of input");
}

}  // namespace
}  // namespace sluice::test
