// Flow evaluation speed on the reference scenario (sport_event_activity): the projection
// alone (one driving row, its three lookups already found: WHERE-less SELECT of 14
// columns with sha256 and mask_digits), and a whole apply() of a ticket_activity update
// (state update, lookups, projection, destination change).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "state/state_store.hpp"
#include "transform/flow_projector.hpp"
#include "transform/flow_runtime.hpp"

namespace {

using sluice::Change;
using sluice::ChangeBatch;
using sluice::Column;
using sluice::FlowConfig;
using sluice::LogicalType;
using sluice::Op;
using sluice::Row;
using sluice::TableSchema;
using sluice::TableSchemaPtr;
using namespace sluice::transform;

TableSchemaPtr table(std::string name, std::vector<Column> columns) {
  auto t = std::make_shared<TableSchema>();
  t->schema = "sports";
  t->name = std::move(name);
  t->columns = std::move(columns);
  return t;
}

struct Tables {
  TableSchemaPtr event = table("sport_event", {{"event_id", LogicalType::kInt32, "integer", true},
                                               {"sport_type", LogicalType::kText, "text"},
                                               {"start_date", LogicalType::kDate, "date"},
                                               {"location", LogicalType::kText, "text"}});
  TableSchemaPtr ticket = table("ticket", {{"ticket_id", LogicalType::kInt32, "integer", true},
                                           {"event_id", LogicalType::kInt32, "integer"},
                                           {"seat_level", LogicalType::kText, "text"},
                                           {"seat_location", LogicalType::kText, "text"},
                                           {"ticket_price", LogicalType::kInt32, "integer"}});
  TableSchemaPtr customer =
      table("customer", {{"customer_id", LogicalType::kInt32, "integer", true},
                         {"name", LogicalType::kText, "text"},
                         {"email", LogicalType::kText, "text"},
                         {"phone", LogicalType::kText, "text"}});
  TableSchemaPtr activity =
      table("ticket_activity", {{"ticket_id", LogicalType::kInt32, "integer", true},
                                {"purchased_by", LogicalType::kInt32, "integer"},
                                {"created_at", LogicalType::kTimestamp, "timestamp"},
                                {"updated_at", LogicalType::kTimestamp, "timestamp"}});
  std::vector<TableSchemaPtr> all() const { return {event, ticket, customer, activity}; }
};

FlowConfig reference_flow() {
  FlowConfig f;
  f.name = "sport_event_activity";
  f.key = {"ticket_id"};
  f.remove = false;
  f.sql =
      "SELECT a.ticket_id, t.event_id, e.sport_type, e.start_date, e.location,\n"
      "       t.seat_level, t.seat_location, t.ticket_price, a.purchased_by, c.name,\n"
      "       sha256(c.email) AS email_address, mask_digits(c.phone) AS phone_number,\n"
      "       a.created_at, a.updated_at\n"
      "FROM ticket_activity a\n"
      "LEFT JOIN ticket t ON t.ticket_id = a.ticket_id\n"
      "LEFT JOIN sport_event e ON e.event_id = t.event_id\n"
      "LEFT JOIN customer c ON c.customer_id = a.purchased_by\n";
  return f;
}

Row row(std::initializer_list<std::string> cells) {
  Row r;
  for (const std::string& c : cells) r.append(c);
  return r;
}

void BM_ReferenceProjection(benchmark::State& state) {
  Tables t;
  FlowPlan plan = plan_flow(reference_flow(), t.all());
  FlowProjector projector(plan);
  PackedRow activity =
      PackedRow::pack(row({"1315", "222", "2021-08-15 10:00:00", "2021-08-15 10:00:00"}));
  PackedRow ticket = PackedRow::pack(row({"1315", "35", "Standard", "S-1", "100"}));
  PackedRow event = PackedRow::pack(row({"35", "Baseball", "2021-09-01", "Seattle, US"}));
  PackedRow customer =
      PackedRow::pack(row({"222", "Teresa Stein", "teresa@example.com", "+1-296-605-8486"}));
  const PackedRow* rows[4] = {&activity, &ticket, &event, &customer};
  Row out;
  for (auto _ : state) {
    Projection p = projector.project(rows, 1'629'021'600'000'000, out);
    benchmark::DoNotOptimize(p);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferenceProjection);

// A ticket_activity update (of updated_at), in random order, against `tickets` tickets,
// 100 000 customers and 1 000 events: state update, three lookups, projection. `store`:
// the state on disk, staged and committed (synced) every kBatch changes, as `sluice run`
// does per batch while it catches up.
void reference_apply_update(benchmark::State& bench, sluice::state::StateStore* store) {
  constexpr size_t kBatch = 10'000;
  Tables t;
  FlowRuntime rt(reference_flow(), t.all(), FlowStorage{store, "F"});
  constexpr int kEvents = 1000, kCustomers = 100'000;
  const auto tickets = static_cast<int>(bench.range(0));
  rt.assume_empty(true);
  for (int i = 0; i < kEvents; ++i)
    rt.load_row(t.event, row({std::to_string(i), "Baseball", "2021-09-01", "Seattle, US"}));
  for (int i = 0; i < kCustomers; ++i)
    rt.load_row(t.customer,
                row({std::to_string(i), "Teresa Stein",
                     "teresa" + std::to_string(i) + "@example.com", "+1-296-605-8486"}));
  std::vector<Change> updates;
  for (int i = 0; i < tickets; ++i) {
    std::string id = std::to_string(i);
    rt.load_row(t.ticket, row({id, std::to_string(i % kEvents), "Standard", "S-1", "100"}));
    Row activity =
        row({id, std::to_string(i * 7 % kCustomers), "2021-08-15 10:00:00", "2021-08-15 10:00:00"});
    rt.load_row(t.activity, activity);
    Change c;
    c.op = Op::kUpdate;
    c.table = t.activity;
    c.after =
        row({id, std::to_string(i * 7 % kCustomers), "2021-08-15 10:00:00", "2021-08-16 11:00:00"});
    updates.push_back(std::move(c));
  }
  std::shuffle(updates.begin(), updates.end(), std::mt19937(42));
  rt.assume_empty(false);
  sluice::state::StateBatch batch;
  auto commit = [&] {
    rt.stage(batch);
    if (store != nullptr && !store->commit(batch, {"bench", "", "0/0"}).ok())
      bench.SkipWithError("state commit failed");
  };
  commit();
  if (store != nullptr && !store->flush().ok()) bench.SkipWithError("state flush failed");
  ChangeBatch out;
  size_t next = 0;
  for (auto _ : bench) {
    rt.apply(updates[next], out);
    if (++next == updates.size()) next = 0;
    if (next % kBatch == 0) {
      commit();
      out.clear();
    }
  }
  bench.SetItemsProcessed(bench.iterations());
}

void BM_ReferenceApplyUpdate(benchmark::State& state) {
  reference_apply_update(state, nullptr);
}
BENCHMARK(BM_ReferenceApplyUpdate)->Arg(100'000)->Arg(1'000'000)->Iterations(200'000);

void BM_ReferenceApplyUpdateOnDisk(benchmark::State& state) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice-bench-state";
  static_cast<void>(sluice::state::StateStore::destroy(dir));
  auto store = sluice::state::StateStore::open({.dir = dir});
  if (!store.ok()) {
    state.SkipWithError(store.error().message().c_str());
    return;
  }
  reference_apply_update(state, store.value().get());
  store.value().reset();
  static_cast<void>(sluice::state::StateStore::destroy(dir));
}
BENCHMARK(BM_ReferenceApplyUpdateOnDisk)->Arg(100'000)->Arg(1'000'000)->Iterations(200'000);

}  // namespace
