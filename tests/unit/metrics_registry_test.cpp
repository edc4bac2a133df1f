#include "obs/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::obs {
namespace {

TEST(MetricsRegistry, RendersCountersGaugesAndLabelledFamiliesInTextFormat) {
  MetricsRegistry r;
  r.counter("jobs_total", "Jobs done.").inc(3);
  r.gauge("lag_seconds", "Lag.").set(1.5);
  Family<Counter>& rows = r.counter_family("rows_total", "Rows, by table.", "table");
  rows.with("public.b").inc(2);
  rows.with("public.a").inc();
  rows.with("public.a").inc(4);
  r.gauge_family("done", "Done per table.", "table").with("t").set(1);
  EXPECT_EQ(r.render(),
            "# HELP jobs_total Jobs done.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total 3\n"
            "# HELP lag_seconds Lag.\n"
            "# TYPE lag_seconds gauge\n"
            "lag_seconds 1.5\n"
            "# HELP rows_total Rows, by table.\n"
            "# TYPE rows_total counter\n"
            "rows_total{table=\"public.a\"} 5\n"
            "rows_total{table=\"public.b\"} 2\n"
            "# HELP done Done per table.\n"
            "# TYPE done gauge\n"
            "done{table=\"t\"} 1\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry r;
  Histogram& h = r.histogram("latency_seconds", "Latency.", {0.1, 1, 10});
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive
  h.observe(0.5);
  h.observe(100);
  EXPECT_EQ(r.render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 2\n"
            "latency_seconds_bucket{le=\"1\"} 3\n"
            "latency_seconds_bucket{le=\"10\"} 3\n"
            "latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "latency_seconds_sum 100.65\n"
            "latency_seconds_count 4\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry r;
  r.counter_family("e_total", "Back\\slash\nnew \"line\".", "kind").with("a\"b\\c\nd").inc();
  EXPECT_EQ(r.render(),
            "# HELP e_total Back\\\\slash\\nnew \"line\".\n"
            "# TYPE e_total counter\n"
            "e_total{kind=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistry, EmptyFamilyHasHeaderOnlyAndSpecialFloatsUsePrometheusSpelling) {
  MetricsRegistry r;
  r.counter_family("none_total", "Nothing yet.", "table");
  Gauge& g = r.gauge("g", "G.");
  g.set(std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.render(),
            "# HELP none_total Nothing yet.\n# TYPE none_total counter\n"
            "# HELP g G.\n# TYPE g gauge\ng +Inf\n");
  g.set(std::numeric_limits<double>::quiet_NaN());
  EXPECT_NE(r.render().find("g NaN\n"), std::string::npos);
}

TEST(MetricsRegistry, RefusesDuplicateNamesAndBadBuckets) {
  MetricsRegistry r;
  r.counter("x_total", "X.");
  EXPECT_THROW(r.gauge("x_total", "X."), std::logic_error);
  EXPECT_THROW(r.histogram("h", "H.", {1, 0.5}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h2", "H.", {1, 1}), std::invalid_argument);
}

TEST(MetricsRegistry, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry r;
  Family<Counter>& rows = r.counter_family("rows_total", "Rows.", "table");
  Histogram& h = r.histogram("h_seconds", "H.", latency_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Counter& mine = rows.with(t % 2 == 0 ? "even" : "odd");
      for (int i = 0; i < 100000; ++i) {
        mine.inc();
        h.observe(0.002);
      }
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(rows.with("even").value(), 200000u);
  EXPECT_EQ(rows.with("odd").value(), 200000u);
  Histogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.count, 400000u);
  EXPECT_NEAR(s.sum, 800.0, 1e-6);
}

}  // namespace
}  // namespace sluice::obs
