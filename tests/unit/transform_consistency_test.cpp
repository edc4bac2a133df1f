// The destination must equal the flow's join over the current source rows, whatever
// order the source changes come in: a random stream of inserts, updates, key moves,
// deletes and truncates is applied, and the resulting warehouse table is compared with
// a fresh runtime bootstrapped from the final source rows.
#include <gtest/gtest.h>
#include <malloc.h>

#include <map>
#include <random>
#include <string>

#include "transform/flow_runtime.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

using testing::make_row;
using testing::ReferenceTables;
using Cells = std::vector<std::optional<std::string>>;

Cells cells_of(const Row& row) {
  Cells cells;
  for (size_t i = 0; i < row.size(); ++i)
    cells.push_back(row.is_null(i) ? std::nullopt : std::optional<std::string>(row.text(i)));
  return cells;
}

struct Warehouse {
  std::map<std::string, Cells> rows;
  void apply(const ChangeBatch& batch) {
    for (const Change& c : batch.changes) {
      const Row& image = c.op == Op::kDelete ? c.before : c.after;
      std::string key = c.op == Op::kTruncate ? "" : std::string(image.text(0));
      if (c.op == Op::kDelete) rows.erase(key);
      if (c.op == Op::kTruncate) rows.clear();
      if (c.op == Op::kInsert || c.op == Op::kUpdate) rows[key] = cells_of(c.after);
    }
  }
};

// The source database: rows per table keyed by primary key (the first column).
class Source {
 public:
  explicit Source(uint32_t seed) : rng_(seed) {}

  Change random_change(const ReferenceTables& t) {
    switch (pick(4)) {
      case 0:
        return change_for(t.sport_event, events_, [&](int id) { return event(id); });
      case 1:
        return change_for(t.ticket, tickets_, [&](int id) { return ticket(id); });
      case 2:
        return change_for(t.customer, customers_, [&](int id) { return customer(id); });
      default:
        return change_for(t.ticket_activity, activities_, [&](int id) { return activity(id); });
    }
  }

  void load_into(FlowRuntime& rt, const ReferenceTables& t) const {
    for (auto& [id, cells] : events_) rt.load_row(t.sport_event, make_row(cells));
    for (auto& [id, cells] : tickets_) rt.load_row(t.ticket, make_row(cells));
    for (auto& [id, cells] : customers_) rt.load_row(t.customer, make_row(cells));
    for (auto& [id, cells] : activities_) rt.load_row(t.ticket_activity, make_row(cells));
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::optional<std::string> maybe_null(std::string v) {
    return pick(8) == 0 ? std::nullopt : std::optional<std::string>(std::move(v));
  }
  Cells event(int id) {
    return {std::to_string(id), maybe_null(pick(2) ? "Baseball" : "Football"),
            "2021-09-0" + std::to_string(1 + pick(9)), "City " + std::to_string(pick(50))};
  }
  Cells ticket(int id) {
    return {std::to_string(id), maybe_null(std::to_string(1 + pick(6))), "Standard",
            "S-" + std::to_string(pick(9)), std::to_string(50 + pick(200))};
  }
  Cells customer(int id) {
    return {std::to_string(id), "Name " + std::to_string(pick(99)),
            maybe_null("c" + std::to_string(pick(99)) + "@example.com"),
            "+1-296-605-" + std::to_string(1000 + pick(8999))};
  }
  Cells activity(int id) {
    return {std::to_string(id), maybe_null(std::to_string(1 + pick(6))), "2021-08-15 10:00:00",
            "2021-08-1" + std::to_string(pick(10)) + " 10:00:00"};
  }

  template <typename Make>
  Change change_for(TableSchemaPtr table, std::map<int, Cells>& rows, Make make) {
    Change c;
    c.table = table;
    c.commit_time_us = ++clock_;
    int id = 1 + pick(12);
    auto it = rows.find(id);
    int action = pick(20);
    if (action == 0) {
      c.op = Op::kTruncate;
      rows.clear();
    } else if (it == rows.end()) {
      c.op = Op::kInsert;
      rows[id] = make(id);
      c.after = make_row(rows[id]);
    } else if (action < 5) {
      c.op = Op::kDelete;
      c.before = key_only(it->second, pick(2) == 0);
      rows.erase(it);
    } else {
      c.op = Op::kUpdate;
      int new_id = action < 8 ? 1 + pick(12) : id;  // sometimes the key moves
      if (new_id != id && rows.contains(new_id)) new_id = id;
      c.before = key_only(it->second, pick(2) == 0);
      rows.erase(it);
      rows[new_id] = make(new_id);
      c.after = make_row(rows[new_id]);
    }
    return c;
  }

  // PostgreSQL sends only the key of the old row; MySQL sends the whole row.
  static Row key_only(const Cells& cells, bool full) {
    Cells before(cells.size(), std::nullopt);
    before[0] = cells[0];
    return make_row(full ? cells : before);
  }

  std::mt19937 rng_;
  int64_t clock_ = 1'629'021'600'000'000;
  std::map<int, Cells> events_, tickets_, customers_, activities_;
};

FlowConfig consistency_flow() {
  FlowConfig f;
  f.name = "sport_event_activity";
  f.key = {"ticket_id"};
  f.sql = std::string(testing::kReferenceSql) + "WHERE a.updated_at > '2021-08-11'";
  return f;
}

TEST(TransformConsistency, DestinationEqualsTheJoinOverTheSource) {
  ReferenceTables t;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    Source source(seed);
    FlowRuntime streaming(consistency_flow(), t.all());
    Warehouse warehouse;
    for (int step = 0; step < 400; ++step) {
      ChangeBatch out;
      streaming.apply(source.random_change(t), out);
      warehouse.apply(out);
    }
    FlowRuntime fresh(consistency_flow(), t.all());
    source.load_into(fresh, t);
    ChangeBatch snapshot;
    fresh.emit_all(snapshot);
    Warehouse expected;
    expected.apply(snapshot);
    ASSERT_EQ(warehouse.rows, expected.rows) << "seed " << seed;
    EXPECT_EQ(streaming.state_rows(), fresh.state_rows()) << "seed " << seed;
  }
}

// Heap bytes per stored dimension row (customer: four columns, ~55 bytes of text),
// including the hash table; the figure in docs/flows.md comes from this test.
TEST(TransformConsistency, DimensionRowsAreCompact) {
  ReferenceTables t;
  FlowConfig flow = consistency_flow();
  constexpr int kRows = 200'000;
  size_t before = mallinfo2().uordblks;
  {
    FlowRuntime rt(flow, t.all());
    for (int i = 0; i < kRows; ++i) {
      rt.load_row(t.customer,
                  make_row({std::to_string(100000 + i), "Teresa Stein",
                            "teresa" + std::to_string(i) + "@example.com", "+1-296-605-8486"}));
    }
    size_t bytes = mallinfo2().uordblks - before;
    double per_row = static_cast<double>(bytes) / kRows;
    std::printf("[ bytes/row ] %.1f heap bytes per customer row (%d rows)\n", per_row, kRows);
    EXPECT_LT(per_row, 192.0);
  }
}

// A driving row also holds one reverse-index entry per lookup it references (here the
// ticket and the customer), which is what lets a dimension change find it.
TEST(TransformConsistency, DrivingRowsWithTheirReferences) {
  ReferenceTables t;
  constexpr int kRows = 200'000;
  size_t before = mallinfo2().uordblks;
  FlowRuntime rt(consistency_flow(), t.all());
  for (int i = 0; i < kRows; ++i) {
    rt.load_row(t.ticket_activity, make_row({std::to_string(100000 + i), std::to_string(i % 1000),
                                             "2021-08-15 10:00:00", "2021-08-15 10:00:00"}));
  }
  double per_row = static_cast<double>(mallinfo2().uordblks - before) / kRows;
  std::printf("[ bytes/row ] %.1f heap bytes per ticket_activity row with its references\n",
              per_row);
  EXPECT_LT(per_row, 232.0);
}

}  // namespace
}  // namespace sluice::transform
