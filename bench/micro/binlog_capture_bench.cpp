// sluice's whole binlog reader on a live server: replica connection, framing, checksums,
// TABLE_MAP handling and row decoding into changes, from the start of a binlog file up to
// the server's position when the run began. bench/mysql_capture.sh starts the server,
// writes the binlog and sets the environment:
//   SLUICE_BENCH_MYSQL_URL    mysql://user:password@host:port/database
//   SLUICE_BENCH_BINLOG_FILE  the binlog file to start from (offset 4)
// Without them the benchmark is skipped.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "config/pipeline_config.hpp"
#include "source/mysql/mysql_admin.hpp"

namespace {

class NoSnapshot : public sluice::SnapshotConsumer {
 public:
  void load_table(const sluice::TableSchemaPtr&, sluice::CopyTextReader&) override {}
};

void BM_BinlogCapture(benchmark::State& state) {
  const char* url = std::getenv("SLUICE_BENCH_MYSQL_URL");
  const char* file = std::getenv("SLUICE_BENCH_BINLOG_FILE");
  if (url == nullptr || file == nullptr) {
    state.SkipWithError("set SLUICE_BENCH_MYSQL_URL and SLUICE_BENCH_BINLOG_FILE");
    return;
  }
  sluice::PipelineConfig config;
  config.name = "bench_capture";
  config.source.type = sluice::SourceType::kMysql;
  config.source.url = url;
  int64_t changes = 0;
  for (auto _ : state) {
    std::unique_ptr<sluice::Source> source =
        sluice::mysql::make_source(config, /*until_caught_up=*/true);
    NoSnapshot none;
    source->start(sluice::BinlogPosition{file, 4, ""}, none);
    sluice::ChangeBatch batch;
    while (true) {
      batch.clear();
      sluice::ReadLimits limits(config.batch, std::chrono::steady_clock::now());
      sluice::ReadStatus status = source->read(batch, limits);
      changes += static_cast<int64_t>(batch.changes.size());
      if (status == sluice::ReadStatus::kCaughtUp) break;
    }
  }
  state.SetItemsProcessed(changes);
  state.counters["changes"] = static_cast<double>(changes);
}
BENCHMARK(BM_BinlogCapture)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
