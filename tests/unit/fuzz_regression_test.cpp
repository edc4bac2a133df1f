// Replays the fuzzers' seed corpora (tests/fuzz/corpus/<target>/) and every input a
// fuzzer once crashed, hung or tripped a sanitizer on (tests/data/fuzz/<target>/)
// through the same target bodies libFuzzer calls: each must end normally or with the
// project's own error, which the body catches. Anything else escapes and fails here.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

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

const Target kTargets[] = {
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

}  // namespace
}  // namespace sluice::fuzz
