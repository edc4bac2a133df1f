// A dimension change that fans out to many destination rows is handed on in slices no
// larger than the batch limits, and the slices together are exactly the destination rows.
#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

#include "transform/flow_runtime.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

using testing::make_row;
using testing::ReferenceTables;

constexpr int kTickets = 1000;

FlowConfig reference_flow() {
  FlowConfig f;
  f.name = "sport_event_activity";
  f.key = {"ticket_id"};
  f.sql = std::string(testing::kReferenceSql);
  return f;
}

// Every ticket bought by customer 1.
void load_one_customers_tickets(FlowRuntime& rt, const ReferenceTables& t) {
  rt.load_row(t.customer, make_row({"1", "Teresa Stein", "t@example.com", "555-0101"}));
  for (int i = 0; i < kTickets; ++i)
    rt.load_row(t.ticket_activity,
                make_row({std::to_string(i), "1", "2021-08-15 10:00:00", "2021-08-15 10:00:00"}));
}

Change rename_customer(const ReferenceTables& t) {
  Change change;
  change.op = Op::kUpdate;
  change.table = t.customer;
  change.before = make_row({"1", "Teresa Stein", "t@example.com", "555-0101"});
  change.after = make_row({"1", "Teresa Stone", "t@example.com", "555-0101"});
  return change;
}

struct Slices {
  std::vector<size_t> rows;
  std::vector<size_t> bytes;
  std::set<std::string> keys;
  void take(ChangeBatch& part) {
    rows.push_back(part.changes.size());
    bytes.push_back(part.row_bytes);
    for (const Change& c : part.changes) keys.emplace(c.after.text(0));
    part.clear();
  }
};

// Renames the customer of every ticket with the given limits: the slices handed on, and
// in `rest` what was left in the batch.
Slices fan_out(size_t max_rows, size_t max_bytes, ChangeBatch& rest) {
  ReferenceTables t;
  FlowRuntime rt(reference_flow(), t.all());
  load_one_customers_tickets(rt, t);
  Slices slices;
  rt.apply(rename_customer(t), rest,
           {max_rows, max_bytes, [&](ChangeBatch& part) { slices.take(part); }});
  return slices;
}

TEST(TransformFanOut, ADimensionChangeIsHandedOnInSlicesOfMaxRows) {
  ChangeBatch rest;
  Slices slices = fan_out(64, std::numeric_limits<size_t>::max(), rest);
  ASSERT_EQ(slices.rows.size(), size_t{kTickets / 64});
  for (size_t rows : slices.rows) EXPECT_EQ(rows, 64u);
  EXPECT_EQ(rest.changes.size(), size_t{kTickets % 64});
  slices.take(rest);
  EXPECT_EQ(slices.keys.size(), size_t{kTickets});
}

TEST(TransformFanOut, ADimensionChangeIsHandedOnInSlicesOfMaxBytes) {
  constexpr size_t kMaxBytes = 4096;
  ChangeBatch rest;
  Slices slices = fan_out(std::numeric_limits<size_t>::max(), kMaxBytes, rest);
  ASSERT_GT(slices.rows.size(), 10u);
  size_t row_bytes = slices.bytes.front() / slices.rows.front();
  for (size_t bytes : slices.bytes) {
    EXPECT_GE(bytes, kMaxBytes);
    EXPECT_LT(bytes, kMaxBytes + row_bytes + 64);
  }
  slices.take(rest);
  EXPECT_EQ(slices.keys.size(), size_t{kTickets});
}

TEST(TransformFanOut, WithoutASlicerTheWholeFanOutStaysInTheBatch) {
  ReferenceTables t;
  FlowRuntime rt(reference_flow(), t.all());
  load_one_customers_tickets(rt, t);
  ChangeBatch out;
  rt.apply(rename_customer(t), out);
  EXPECT_EQ(out.changes.size(), size_t{kTickets});
  EXPECT_GT(out.row_bytes, size_t{kTickets} * 40);
}

}  // namespace
}  // namespace sluice::transform
