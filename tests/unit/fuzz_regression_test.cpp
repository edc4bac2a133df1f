// Replays the fuzzers' seed corpora (tests/fuzz/corpus/<target>/) and every input a
// fuzzer once crashed, hung or tripped a sanitizer on (tests/data/fuzz/<target>/)
// through the same target bodies libFuzzer calls: each must end normally or with the
// project's own error, which the body catches. Anything else escapes and fails here.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <vector>

#include "../fuzz/binlog_compressed_target.hpp"
#include "../fuzz/binlog_ddl_target.hpp"
#include "../fuzz/binlog_rows_target.hpp"
#include "../fuzz/copy_text_target.hpp"
#include "../fuzz/flow_sql_target.hpp"
#include "../fuzz/kafka_envelope_target.hpp"
#include "../fuzz/mysql_json_target.hpp"
#include "../fuzz/pgoutput_target.hpp"
#include "../fuzz/pipeline_config_target.hpp"

namespace sluice::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpusDir = fs::path(SLUICE_TEST_DATA) / "../fuzz/corpus";
const fs::path kCrashDir = fs::path(SLUICE_TEST_DATA) / "fuzz";

struct Target {
  const char* name;
  void (*run)(std::span<const uint8_t>);
};

void PrintTo(const Target& target, std::ostream* out) {
  *out << target.name;
}

const Target kTargets[] = {
    {"binlog_compressed", run_binlog_compressed},
    {"binlog_ddl", run_binlog_ddl},
    {"binlog_rows", run_binlog_rows},
    {"copy_text", run_copy_text},
    {"flow_sql", run_flow_sql},
    {"kafka_envelope", run_kafka_envelope},
    {"mysql_json", run_mysql_json},
    {"pgoutput", run_pgoutput},
    {"pipeline_config", run_pipeline_config},
};

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Replays every file in `dir` (a missing folder has none) and returns how many.
size_t replay(const Target& target, const fs::path& dir) {
  if (!fs::is_directory(dir)) return 0;
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    SCOPED_TRACE(entry.path().string());
    std::vector<uint8_t> input = read_bytes(entry.path());
    EXPECT_NO_THROW(target.run(input));
    ++count;
  }
  return count;
}

class FuzzRegression : public testing::TestWithParam<Target> {};

TEST_P(FuzzRegression, SeedsAndFoundInputsEndInTheProjectsErrors) {
  FixedEnvironment environment;  // the pipeline_config target reads ${NAME}
  EXPECT_GT(replay(GetParam(), kCorpusDir / GetParam().name), 0u) << "no seed corpus";
  replay(GetParam(), kCrashDir / GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression, testing::ValuesIn(kTargets),
                         [](const testing::TestParamInfo<Target>& info) {
                           return std::string(info.param.name);
                         });

// What each finding must do now: fail with the project's error and a reason, where the
// old code overflowed, read out of bounds, looped forever or threw a library's exception.
template <typename F>
std::string fatal_error_of(F&& decode) {
  try {
    decode();
  } catch (const FatalError& e) {
    return e.what();
  }
  return "no error";
}

TEST(FuzzFindings, PgOutputCommitTimeBeyondInt64IsMalformed) {
  // Begin: final LSN, commit time (microseconds since 2000) near INT64_MAX, xid.
  std::vector<uint8_t> begin = {'B',  0,    0,    0,    0,    0,    0, 0x10, 0, 0x7f, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,    0, 42};
  pg::PgOutputDecoder decoder;
  Change change;
  EXPECT_EQ(fatal_error_of([&] { decoder.decode(begin, change); }),
            "malformed pgoutput message: commit timestamp out of range");
}

TEST(FuzzFindings, RowsEventImageNamingNoColumnIsAnErrorNotALoop) {
  // TABLE_MAP for db.t (table id 1): one INT column, no metadata, nullable.
  std::vector<uint8_t> table_map = {1, 0, 0, 0, 0, 0, 1, 0, 2, 'd', 'b', 0, 1, 't', 0, 1, 3, 0, 1};
  // WRITE_ROWS v1: table id, flags, one column, a present bitmap naming none, one byte left.
  std::vector<uint8_t> rows = {1, 0, 0, 0, 0, 0, 1, 0, 1, 0x00, 0xaa};
  mysql::RowsDecoder decoder(mysql::parse_table_map(table_map, mysql::BinlogFlavor::kMariaDb), {});
  decoder.begin(23, rows);
  EXPECT_EQ(fatal_error_of([&] { decoder.next_row(); }), "db.t: rows event image names no column");
}

TEST(FuzzFindings, JsonDecimalWithScaleAbovePrecisionIsMalformed) {
  // A scalar opaque value (type 0x0f) of MySQL type NEWDECIMAL (0xf6): precision 8, scale 45.
  std::vector<uint8_t> document = {0x0f, 0xf6, 0x04, 0x08, 0x2d, 0x80, 0x01};
  std::string text;
  EXPECT_NE(fatal_error_of([&] {
              mysql::append_json_text(document, text);
            }).find("DECIMAL(8,45) has a scale above its precision"),
            std::string::npos);
}

std::string kafka_error_of(std::string_view value) {
  kafka::ChangeDecoder decoder;
  Change change;
  return fatal_error_of([&] { decoder.decode(R"({"id":"1"})", value, "t [0]@1", change); });
}

constexpr std::string_view kSluiceColumns = R"("columns":[["id","int32","integer",true]])";

TEST(FuzzFindings, KafkaEnvelopeMembersOfTheWrongShapeAreMalformed) {
  EXPECT_EQ(kafka_error_of(R"({"op":"t","source":{"table":"t"},"sluice":{"colunms":[]}})"),
            R"(kafka message t [0]@1: the envelope has no "columns")");
  EXPECT_EQ(kafka_error_of(std::string(R"({"op":"c","source":{"table":"t"},"after":{"id":"1"},)") +
                           R"("sluice":{)" + std::string(kSluiceColumns) + R"(,"unchanged":[1]}})"),
            R"(kafka message t [0]@1: "unchanged" must be an array of strings)");
  EXPECT_EQ(kafka_error_of(R"({"op":"c","source":{"table":"t"},"after":{"id":1e400}})"),
            "kafka message t [0]@1: the value holds a number out of range");
  EXPECT_EQ(kafka_error_of(R"({"op":"c","source":{"table":"t","db":7},"after":{"id":1}})"),
            R"(kafka message t [0]@1: "db" must be a string)");
  EXPECT_EQ(kafka_error_of(R"({"op":"c","source":{"table":"t","ts_ms":1e300},"after":{"id":1}})"),
            R"(kafka message t [0]@1: "ts_ms" must be an integer of milliseconds, got 1e+300)");
  EXPECT_EQ(
      kafka_error_of(
          R"({"op":"c","source":{"table":"t","ts_ms":9223372036854776},"after":{"id":1}})"),
      R"(kafka message t [0]@1: "ts_ms" must be an integer of milliseconds, got 9223372036854776)");
}

}  // namespace
}  // namespace sluice::fuzz
