#include "obs/progress_line.hpp"

#include <gtest/gtest.h>

namespace sluice::obs {
namespace {

using std::chrono::milliseconds;

TEST(ProgressLine, HumanCountKeepsThreeSignificantDigits) {
  EXPECT_EQ(human_count(0), "0");
  EXPECT_EQ(human_count(999), "999");
  EXPECT_EQ(human_count(999.6), "1.00k");
  EXPECT_EQ(human_count(1234), "1.23k");
  EXPECT_EQ(human_count(12345), "12.3k");
  EXPECT_EQ(human_count(123456), "123k");
  EXPECT_EQ(human_count(2310000), "2.31M");
  EXPECT_EQ(human_count(4.5e9), "4.50G");
}

TEST(ProgressLine, HumanDurationRoundsUpToWholeSeconds) {
  EXPECT_EQ(human_duration(0), "0s");
  EXPECT_EQ(human_duration(2.1), "3s");
  EXPECT_EQ(human_duration(59), "59s");
  EXPECT_EQ(human_duration(245), "4m05s");
  EXPECT_EQ(human_duration(3720), "1h02m");
  EXPECT_EQ(human_duration(-5), "0s");
}

TEST(ProgressLine, FinishedTablesCountWhatWasCopiedAndOthersTheLargerOfEstimateAndCopied) {
  SnapshotProgress sum = sum_snapshot_progress({
      {.copied = 900, .estimated = 1000, .done = true},  // estimate was high
      {.copied = 300, .estimated = 200, .done = false},  // estimate was low
      {.copied = 0, .estimated = 5000, .done = false},
  });
  EXPECT_EQ(sum.copied, 1200u);
  EXPECT_EQ(sum.expected, 900u + 300u + 5000u);
  EXPECT_TRUE(sum.expected_known);
  EXPECT_EQ(sum.tables_done, 1u);
  EXPECT_EQ(sum.tables, 3u);
}

TEST(ProgressLine, AnUnfinishedTableWithoutEstimateMakesTheTotalUnknown) {
  EXPECT_FALSE(
      sum_snapshot_progress({{.copied = 10, .estimated = 0, .done = false}}).expected_known);
  EXPECT_TRUE(sum_snapshot_progress({{.copied = 10, .estimated = 0, .done = true}}).expected_known);
}

TEST(ProgressLine, SnapshotLineShowsBarPercentRateEtaAndTables) {
  SnapshotProgress progress{.copied = 1200000,
                            .expected = 2400000,
                            .expected_known = true,
                            .tables_done = 2,
                            .tables = 4};
  std::string line = snapshot_line(progress, 300000, 120);
  EXPECT_EQ(line,
            "snapshot [###############---------------]  50%  1.20M/2.40M rows  300k rows/s  ETA 4s"
            "  2/4 tables");
}

TEST(ProgressLine, SnapshotLineWithoutEstimateShowsRowsAndRateOnly) {
  SnapshotProgress progress{
      .copied = 5000, .expected = 5000, .expected_known = false, .tables_done = 0, .tables = 1};
  EXPECT_EQ(snapshot_line(progress, 2500, 120), "snapshot 5.00k rows  2.50k rows/s  0/1 tables");
}

TEST(ProgressLine, ShortEstimateHoldsTheBarAt99UntilTheTablesAreDone) {
  SnapshotProgress progress{
      .copied = 1000, .expected = 1000, .expected_known = true, .tables_done = 0, .tables = 1};
  EXPECT_NE(snapshot_line(progress, 10, 120).find(" 99%"), std::string::npos);
  progress.tables_done = 1;
  std::string done = snapshot_line(progress, 10, 120);
  EXPECT_NE(done.find("100%"), std::string::npos);
  EXPECT_EQ(done.find("ETA"), std::string::npos);
}

TEST(ProgressLine, NarrowTerminalDropsTheBarAndCutsTheLine) {
  SnapshotProgress progress{
      .copied = 1, .expected = 2, .expected_known = true, .tables_done = 0, .tables = 1};
  std::string line = snapshot_line(progress, 1, 40);
  EXPECT_EQ(line.find('['), std::string::npos);
  EXPECT_EQ(line.size(), 39u);
}

TEST(ProgressLine, StreamingLineSummarisesRateCountsLagAndPosition) {
  StreamingProgress progress{.rows_per_second = 1020,
                             .rows_in = 61204,
                             .rows_out = 61000,
                             .lag_seconds = 0.213,
                             .applied_position = "0/1A2B3C8"};
  EXPECT_EQ(streaming_line(progress, 200),
            "streaming  1.02k rows/s  in 61.2k  out 61.0k  lag 0.21 s  at 0/1A2B3C8");
}

TEST(ProgressLine, RetryingShowsTheErrorOnOneLine) {
  StreamingProgress progress{.state = PipelineState::kRetrying,
                             .last_error = "sink: server closed\nthe connection"};
  EXPECT_EQ(streaming_line(progress, 200), "retrying  sink: server closed the connection");
}

TEST(ProgressLine, RateWindowMeasuresTheRecentSpanOnly) {
  RateWindow rate(std::chrono::seconds(5));
  auto start = RateWindow::Clock::time_point{} + std::chrono::hours(1);
  rate.add(start, 0);
  EXPECT_EQ(rate.per_second(), 0);
  rate.add(start + milliseconds(100), 100);
  EXPECT_EQ(rate.per_second(), 0) << "too short a span to tell";
  rate.add(start + milliseconds(1000), 1000);
  EXPECT_DOUBLE_EQ(rate.per_second(), 1000);
  // A burst long ago no longer counts: 10 s later only the last 5 s are measured.
  rate.add(start + milliseconds(8000), 1000);
  rate.add(start + milliseconds(11000), 1000);
  EXPECT_DOUBLE_EQ(rate.per_second(), 0);
}

}  // namespace
}  // namespace sluice::obs
