#include "obs/status_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sluice::obs {
namespace {

TEST(StatusReport, ReportsStatePositionLagAndPerTableCounts) {
  MetricsRegistry registry;
  PipelineMetrics metrics(registry);
  PipelineStatus status;
  status.set_name("sports");
  status.set_state(PipelineState::kStreaming);
  status.set_applied_position("0/16B3F58");
  metrics.lag_seconds.set(0.25);
  metrics.rows_in.with("public.ticket").inc(7);
  metrics.rows_out.with("ticket").inc(7);
  metrics.snapshot_rows.with("public.ticket").inc(1000);
  metrics.snapshot_done.with("public.ticket").set(1);
  metrics.snapshot_done.with("public.customer").set(0);
  metrics.snapshot_rows_estimated.with("public.customer").set(250);

  nlohmann::json doc = nlohmann::json::parse(status_json(status, metrics));
  EXPECT_EQ(doc["pipeline"], "sports");
  EXPECT_EQ(doc["state"], "streaming");
  EXPECT_EQ(doc["applied_position"], "0/16B3F58");
  EXPECT_DOUBLE_EQ(doc["lag_seconds"].get<double>(), 0.25);
  EXPECT_EQ(doc["rows_in"]["public.ticket"], 7);
  EXPECT_EQ(doc["rows_out"]["ticket"], 7);
  EXPECT_EQ(doc["snapshot"]["public.ticket"]["rows"], 1000);
  EXPECT_EQ(doc["snapshot"]["public.ticket"]["done"], true);
  EXPECT_EQ(doc["snapshot"]["public.customer"]["rows"], 0);
  EXPECT_EQ(doc["snapshot"]["public.customer"]["done"], false);
  EXPECT_EQ(doc["snapshot"]["public.customer"]["estimated_rows"], 250);
}

TEST(StatusReport, RetryingCountsTheErrorAndKeepsTheMessage) {
  PipelineStatus status;
  uint64_t before = pipeline_metrics().errors.with("connection").value();
  status.retrying("connection", "sink: server closed the connection");
  EXPECT_EQ(status.state(), PipelineState::kRetrying);
  EXPECT_EQ(pipeline_metrics().errors.with("connection").value(), before + 1);
  nlohmann::json doc = nlohmann::json::parse(status_json(status, pipeline_metrics()));
  EXPECT_EQ(doc["state"], "retrying");
  EXPECT_EQ(doc["last_error"], "sink: server closed the connection");
}

}  // namespace
}  // namespace sluice::obs
