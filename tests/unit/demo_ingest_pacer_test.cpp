#include <gtest/gtest.h>

#include "core/error.hpp"
#include "demo/ingest_pacer.hpp"

namespace sluice::demo {
namespace {

using namespace std::chrono_literals;
using Clock = IngestPacer::Clock;

TEST(DemoIngestPacer, FirstRowAtOnceThenAtTheRate) {
  Clock::time_point t0{};
  IngestPacer pacer(1000, t0);
  EXPECT_EQ(pacer.due(t0), 1u);
  EXPECT_EQ(pacer.due(t0 + 999us), 1u);
  EXPECT_EQ(pacer.due(t0 + 1ms), 2u);
  EXPECT_EQ(pacer.due(t0 + 60s), 60001u);
}

TEST(DemoIngestPacer, OneAMinute) {
  Clock::time_point t0{};
  IngestPacer pacer(1.0 / 60, t0);
  EXPECT_EQ(pacer.due(t0 + 59s), 1u);
  EXPECT_EQ(pacer.due(t0 + 60s), 2u);
  EXPECT_EQ(pacer.next_due(1), t0 + 60s);
}

TEST(DemoIngestPacer, NextDueIsWhenDueGrows) {
  Clock::time_point t0{};
  IngestPacer pacer(7.5, t0);
  for (uint64_t count = 1; count < 50; ++count) {
    Clock::time_point at = pacer.next_due(count);
    EXPECT_EQ(pacer.due(at), count + 1) << count;
    EXPECT_EQ(pacer.due(at - 1us), count) << count;
  }
}

TEST(DemoIngestPacer, ParsesDurations) {
  EXPECT_EQ(parse_demo_duration("30s"), 30s);
  EXPECT_EQ(parse_demo_duration("5m"), 5min);
  EXPECT_EQ(parse_demo_duration("1h"), 1h);
  EXPECT_EQ(parse_demo_duration("500ms"), 500ms);
  EXPECT_EQ(parse_demo_duration("2.5"), 2500ms);
  EXPECT_THROW(parse_demo_duration("5x"), ConfigError);
  EXPECT_THROW(parse_demo_duration("-1s"), ConfigError);
  EXPECT_THROW(parse_demo_duration(""), ConfigError);
}

}  // namespace
}  // namespace sluice::demo
