#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.hpp"
#include "transform/flow_runtime.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

using testing::make_row;
using testing::ReferenceTables;
using Cells = std::vector<std::optional<std::string>>;

constexpr int64_t kCommit = 1'629'021'600'000'000;  // 2021-08-15 10:00:00 UTC
const std::string kTeresaHash = "b5606b17c0908fa82058454e17e9a27bc4abbf9966e1d941246e1d0e731a82f9";

Change make_change(Op op, TableSchemaPtr table, Row before, Row after, int64_t time = kCommit) {
  Change c;
  c.op = op;
  c.table = std::move(table);
  c.before = std::move(before);
  c.after = std::move(after);
  c.commit_time_us = time;
  c.xid = 42;
  return c;
}

Change insert(TableSchemaPtr t, const Cells& after) {
  return make_change(Op::kInsert, std::move(t), {}, make_row(after));
}
Change update(TableSchemaPtr t, const Cells& before, const Cells& after) {
  return make_change(Op::kUpdate, std::move(t), make_row(before), make_row(after));
}
Change remove(TableSchemaPtr t, const Cells& before) {
  return make_change(Op::kDelete, std::move(t), make_row(before), {});
}

std::vector<std::optional<std::string>> cells_of(const Row& row) {
  std::vector<std::optional<std::string>> cells;
  for (size_t i = 0; i < row.size(); ++i)
    cells.push_back(row.is_null(i) ? std::nullopt : std::optional<std::string>(row.text(i)));
  return cells;
}

// The warehouse table as the sink would leave it after applying the destination changes.
struct Warehouse {
  std::map<std::string, Cells> rows;

  static std::string key_of(const Change& c, const Row& row) {
    std::string key;
    for (size_t k : c.table->key_indexes()) key += std::string(row.text(k)) + "|";
    return key;
  }
  void apply(const ChangeBatch& batch) {
    for (const Change& c : batch.changes) {
      switch (c.op) {
        case Op::kInsert:
        case Op::kUpdate:
          rows[key_of(c, c.after)] = cells_of(c.after);
          break;
        case Op::kDelete:
          rows.erase(key_of(c, c.before));
          break;
        case Op::kTruncate:
          rows.clear();
          break;
      }
    }
  }
};

class TransformRuntime : public ::testing::Test {
 protected:
  FlowConfig reference_flow() const {
    FlowConfig f;
    f.name = "sport_event_activity";
    f.key = {"ticket_id"};
    f.remove = false;  // the reference ignores deletes
    f.sql = std::string(testing::kReferenceSql);
    f.sql_line = 12;
    return f;
  }
  FlowConfig simple_flow(std::string sql) const {
    FlowConfig f;
    f.name = "out";
    f.key = {"ticket_id"};
    f.sql = std::move(sql);
    return f;
  }

  void load_reference(FlowRuntime& rt) const {
    rt.load_row(*t_.sport_event, make_row(event35_));
    rt.load_row(*t_.ticket, make_row(ticket1315_));
    rt.load_row(*t_.customer, make_row(customer222_));
    rt.load_row(*t_.ticket_activity, make_row(activity1315_));
  }

  ChangeBatch apply(FlowRuntime& rt, const Change& c) const {
    ChangeBatch out;
    rt.apply(c, out);
    return out;
  }

  ReferenceTables t_;
  Cells event35_{"35", "Baseball", "2021-09-01", "Seattle, US"};
  Cells event36_{"36", "Football", "2021-10-02", "Denver, US"};
  Cells ticket1315_{"1315", "35", "Standard", "S-1", "100"};
  Cells customer222_{"222", "Teresa Stein", "teresa@example.com", "+1-296-605-8486"};
  Cells customer223_{"223", "Jürgen O'Brien", "jo@example.org", "087-237-9316x2670"};
  Cells activity1315_{"1315", "222", "2021-08-15 10:00:00", "2021-08-15 10:00:00"};
  Cells expected1315_{"1315",
                      "35",
                      "Baseball",
                      "2021-09-01",
                      "Seattle, US",
                      "Standard",
                      "S-1",
                      "100",
                      "222",
                      "Teresa Stein",
                      kTeresaHash,
                      "+*-***-***-****",
                      "2021-08-15 10:00:00",
                      "2021-08-15 10:00:00"};
};

TEST_F(TransformRuntime, TablesAndOutputSchema) {
  FlowRuntime rt(reference_flow(), t_.all());
  EXPECT_EQ(rt.tables(), (std::vector<std::string>{"sports.ticket_activity", "sports.ticket",
                                                   "sports.sport_event", "sports.customer"}));
  EXPECT_EQ(rt.output_schema()->name, "sport_event_activity");
  EXPECT_EQ(rt.output_schema()->columns.size(), 14u);
}

TEST_F(TransformRuntime, SnapshotThenEmitAll) {
  FlowRuntime rt(reference_flow(), t_.all());
  load_reference(rt);
  ChangeBatch out;
  rt.emit_all(out);
  ASSERT_EQ(out.changes.size(), 1u);
  EXPECT_EQ(out.changes[0].op, Op::kInsert);
  EXPECT_EQ(out.changes[0].table, rt.output_schema());
  EXPECT_EQ(cells_of(out.changes[0].after), expected1315_);
}

TEST_F(TransformRuntime, EmitAllAppliesWhereButNotTheOperationsFilter) {
  FlowConfig flow = simple_flow(
      "SELECT a.ticket_id, hmac_sha256(c.email, 'SLUICE_RUNTIME_KEY') AS token\n"
      "FROM ticket_activity a LEFT JOIN customer c ON c.customer_id = a.purchased_by\n"
      "WHERE a.purchased_by IS NOT NULL");
  flow.insert = false;
  ::setenv("SLUICE_RUNTIME_KEY", "test-secret-key", 1);
  FlowRuntime rt(flow, t_.all());
  rt.load_row(*t_.customer, make_row(customer222_));
  rt.load_row(*t_.ticket_activity, make_row(activity1315_));
  rt.load_row(*t_.ticket_activity,
              make_row({"1316", std::nullopt, "2021-08-15 10:00:00", "2021-08-15 10:00:00"}));
  ChangeBatch out;
  rt.emit_all(out);
  ASSERT_EQ(out.changes.size(), 1u);
  EXPECT_EQ(cells_of(out.changes[0].after),
            (Cells{"1315", "cbd5c58fe0638ffbc4749172f6706928bd6ae662389503e9f73a035c5b622362"}));
}

TEST_F(TransformRuntime, FactBeforeDimensionsIsCompletedLater) {
  FlowRuntime rt(reference_flow(), t_.all());
  ChangeBatch first = apply(rt, insert(t_.ticket_activity, activity1315_));
  ASSERT_EQ(first.changes.size(), 1u);
  EXPECT_EQ(cells_of(first.changes[0].after),
            (Cells{"1315", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                   std::nullopt, std::nullopt, "222", std::nullopt, std::nullopt, std::nullopt,
                   "2021-08-15 10:00:00", "2021-08-15 10:00:00"}));
  ChangeBatch ticket = apply(rt, insert(t_.ticket, ticket1315_));
  ASSERT_EQ(ticket.changes.size(), 1u);
  EXPECT_EQ(ticket.changes[0].op, Op::kUpdate);
  EXPECT_EQ(cells_of(ticket.changes[0].after)[5], "Standard");
  EXPECT_EQ(cells_of(ticket.changes[0].after)[2], std::nullopt);  // the event is still missing
  apply(rt, insert(t_.sport_event, event35_));
  ChangeBatch last = apply(rt, insert(t_.customer, customer222_));
  ASSERT_EQ(last.changes.size(), 1u);
  EXPECT_EQ(cells_of(last.changes[0].after), expected1315_);
}

TEST_F(TransformRuntime, DimensionChangesPropagateThroughTwoJoinLevels) {
  FlowRuntime rt(reference_flow(), t_.all());
  load_reference(rt);
  rt.load_row(*t_.sport_event, make_row(event36_));
  rt.load_row(*t_.ticket, make_row({"1316", "35", "Premium", "P-9", "300"}));
  rt.load_row(*t_.ticket_activity,
              make_row({"1316", "222", "2021-08-16 09:00:00", "2021-08-16 09:00:00"}));
  Cells moved_event = event35_;
  moved_event[3] = "Tacoma, US";
  ChangeBatch both = apply(rt, update(t_.sport_event, event35_, moved_event));
  ASSERT_EQ(both.changes.size(), 2u);
  for (const Change& c : both.changes) EXPECT_EQ(cells_of(c.after)[4], "Tacoma, US");

  // Ticket 1315 moves to event 36: its row follows, and event 35 no longer reaches it.
  Cells ticket_to_36 = ticket1315_;
  ticket_to_36[1] = "36";
  ChangeBatch moved = apply(rt, update(t_.ticket, ticket1315_, ticket_to_36));
  ASSERT_EQ(moved.changes.size(), 1u);
  EXPECT_EQ(cells_of(moved.changes[0].after)[2], "Football");
  ChangeBatch only_1316 = apply(rt, update(t_.sport_event, moved_event, event35_));
  ASSERT_EQ(only_1316.changes.size(), 1u);
  EXPECT_EQ(cells_of(only_1316.changes[0].after)[0], "1316");
  EXPECT_EQ(cells_of(only_1316.changes[0].after)[4], "Seattle, US");
}

TEST_F(TransformRuntime, ReassignedPurchaseFollowsTheNewCustomer) {
  FlowRuntime rt(reference_flow(), t_.all());
  load_reference(rt);
  rt.load_row(*t_.customer, make_row(customer223_));
  Cells reassigned = activity1315_;
  reassigned[1] = "223";
  reassigned[3] = "2021-08-20 12:00:00";
  ChangeBatch upsert = apply(rt, update(t_.ticket_activity, activity1315_, reassigned));
  ASSERT_EQ(upsert.changes.size(), 1u);
  EXPECT_EQ(upsert.changes[0].op, Op::kUpdate);
  Cells row = cells_of(upsert.changes[0].after);
  EXPECT_EQ(row[8], "223");
  EXPECT_EQ(row[9], "Jürgen O'Brien");
  EXPECT_EQ(row[11], "***-***-****x****");
  EXPECT_EQ(row[13], "2021-08-20 12:00:00");
  // Customer 222 no longer has purchases, so changing it touches nothing.
  Cells renamed = customer222_;
  renamed[1] = "Teresa Stone";
  EXPECT_TRUE(apply(rt, update(t_.customer, customer222_, renamed)).changes.empty());
  EXPECT_EQ(apply(rt, update(t_.customer, customer223_, customer223_)).changes.size(), 1u);
}

TEST_F(TransformRuntime, KeyMoveDeletesTheOldRowAndUpsertsTheNew) {
  FlowRuntime rt(reference_flow(), t_.all());
  load_reference(rt);
  Cells moved = activity1315_;
  moved[0] = "1316";
  ChangeBatch out = apply(rt, update(t_.ticket_activity, activity1315_, moved));
  ASSERT_EQ(out.changes.size(), 2u);
  EXPECT_EQ(out.changes[0].op, Op::kDelete);
  Cells key_only(14, std::nullopt);
  key_only[0] = "1315";
  EXPECT_EQ(cells_of(out.changes[0].before), key_only);
  EXPECT_EQ(out.changes[1].op, Op::kUpdate);
  EXPECT_EQ(cells_of(out.changes[1].after)[0], "1316");
  EXPECT_EQ(cells_of(out.changes[1].after)[5], std::nullopt);  // no ticket 1316
}

TEST_F(TransformRuntime, DeletesFollowTheRemoveFlag) {
  FlowRuntime ignoring(reference_flow(), t_.all());
  load_reference(ignoring);
  EXPECT_TRUE(apply(ignoring, remove(t_.ticket_activity, activity1315_)).changes.empty());
  // The row left the state: its customer no longer reaches anything.
  Cells renamed = customer222_;
  renamed[1] = "Teresa Stone";
  EXPECT_TRUE(apply(ignoring, update(t_.customer, customer222_, renamed)).changes.empty());

  FlowConfig with_deletes = reference_flow();
  with_deletes.remove = true;
  FlowRuntime deleting(with_deletes, t_.all());
  load_reference(deleting);
  ChangeBatch out = apply(
      deleting, remove(t_.ticket_activity, {"1315", std::nullopt, std::nullopt, std::nullopt}));
  ASSERT_EQ(out.changes.size(), 1u);
  EXPECT_EQ(out.changes[0].op, Op::kDelete);
  EXPECT_EQ(cells_of(out.changes[0].before)[0], "1315");
  EXPECT_EQ(out.changes[0].xid, 42u);
  // A row sluice never saw is still deleted downstream, from a key-only image.
  ChangeBatch unknown = apply(deleting, remove(t_.ticket_activity, {"999"}));
  ASSERT_EQ(unknown.changes.size(), 1u);
  EXPECT_EQ(cells_of(unknown.changes[0].before)[0], "999");
}

TEST_F(TransformRuntime, DimensionDeleteAndTruncateLeaveNulls) {
  FlowRuntime rt(reference_flow(), t_.all());
  load_reference(rt);
  ChangeBatch deleted =
      apply(rt, remove(t_.customer, {"222", std::nullopt, std::nullopt, std::nullopt}));
  ASSERT_EQ(deleted.changes.size(), 1u);
  EXPECT_EQ(cells_of(deleted.changes[0].after)[9], std::nullopt);
  EXPECT_EQ(cells_of(deleted.changes[0].after)[8], "222");
  ChangeBatch truncated = apply(rt, make_change(Op::kTruncate, t_.sport_event, {}, {}));
  ASSERT_EQ(truncated.changes.size(), 1u);
  EXPECT_EQ(cells_of(truncated.changes[0].after)[2], std::nullopt);
  EXPECT_EQ(cells_of(truncated.changes[0].after)[5], "Standard");
  EXPECT_TRUE(apply(rt, make_change(Op::kTruncate, t_.sport_event, {}, {})).changes.empty());
}

TEST_F(TransformRuntime, DrivingTruncateFollowsTheRemoveFlag) {
  FlowRuntime ignoring(reference_flow(), t_.all());
  load_reference(ignoring);
  EXPECT_TRUE(
      apply(ignoring, make_change(Op::kTruncate, t_.ticket_activity, {}, {})).changes.empty());
  FlowConfig with_deletes = reference_flow();
  with_deletes.remove = true;
  FlowRuntime deleting(with_deletes, t_.all());
  load_reference(deleting);
  ChangeBatch out = apply(deleting, make_change(Op::kTruncate, t_.ticket_activity, {}, {}));
  ASSERT_EQ(out.changes.size(), 1u);
  EXPECT_EQ(out.changes[0].op, Op::kTruncate);
  EXPECT_EQ(out.changes[0].table, deleting.output_schema());
  EXPECT_EQ(deleting.state_rows()[0], 0u);
  EXPECT_TRUE(apply(deleting, update(t_.ticket, ticket1315_, ticket1315_)).changes.empty());
}

TEST_F(TransformRuntime, WhereTransitions) {
  FlowConfig flow = simple_flow(
      "SELECT a.ticket_id, a.purchased_by FROM ticket_activity a WHERE a.purchased_by <> 0");
  FlowRuntime rt(flow, t_.all());
  Cells unsold = {"1", "0", "2021-08-15 10:00:00", "2021-08-15 10:00:00"};
  Cells sold = {"1", "222", "2021-08-15 10:00:00", "2021-08-15 10:00:00"};
  EXPECT_TRUE(apply(rt, insert(t_.ticket_activity, unsold)).changes.empty());
  ChangeBatch enters = apply(rt, update(t_.ticket_activity, unsold, sold));
  ASSERT_EQ(enters.changes.size(), 1u);
  EXPECT_EQ(enters.changes[0].op, Op::kUpdate);
  ChangeBatch leaves = apply(rt, update(t_.ticket_activity, sold, unsold));
  ASSERT_EQ(leaves.changes.size(), 1u);
  EXPECT_EQ(leaves.changes[0].op, Op::kDelete);
  EXPECT_EQ(cells_of(leaves.changes[0].before), (Cells{"1", std::nullopt}));
  EXPECT_TRUE(apply(rt, update(t_.ticket_activity, unsold, unsold)).changes.empty());

  flow.remove = false;
  FlowRuntime keeping(flow, t_.all());
  apply(keeping, insert(t_.ticket_activity, sold));
  EXPECT_TRUE(apply(keeping, update(t_.ticket_activity, sold, unsold)).changes.empty());
}

TEST_F(TransformRuntime, OperationsFilterSparesPropagation) {
  FlowConfig flow = reference_flow();
  flow.insert = false;
  FlowRuntime rt(flow, t_.all());
  rt.load_row(*t_.customer, make_row(customer222_));
  EXPECT_TRUE(apply(rt, insert(t_.ticket_activity, activity1315_)).changes.empty());
  Cells renamed = customer222_;
  renamed[1] = "Teresa Stone";
  ChangeBatch propagated = apply(rt, update(t_.customer, customer222_, renamed));
  ASSERT_EQ(propagated.changes.size(), 1u);
  EXPECT_EQ(cells_of(propagated.changes[0].after)[9], "Teresa Stone");
  ChangeBatch updated = apply(rt, update(t_.ticket_activity, activity1315_, activity1315_));
  ASSERT_EQ(updated.changes.size(), 1u);

  flow.insert = true;
  flow.update = false;
  FlowRuntime no_updates(flow, t_.all());
  EXPECT_EQ(apply(no_updates, insert(t_.ticket_activity, activity1315_)).changes.size(), 1u);
  EXPECT_TRUE(
      apply(no_updates, update(t_.ticket_activity, activity1315_, activity1315_)).changes.empty());
}

TEST_F(TransformRuntime, UnchangedToastCellsComeFromTheStoredRow) {
  FlowRuntime rt(reference_flow(), t_.all());
  load_reference(rt);
  Row after;
  after.append("1315");
  after.append("222");
  after.append_unchanged();
  after.append("2021-08-18 08:00:00");
  ChangeBatch out;
  rt.apply(make_change(Op::kUpdate, t_.ticket_activity, {}, after), out);
  ASSERT_EQ(out.changes.size(), 1u);
  EXPECT_EQ(cells_of(out.changes[0].after)[12], "2021-08-15 10:00:00");
  EXPECT_FALSE(out.changes[0].after.has_unchanged());
  // The filled value is what the state keeps.
  ChangeBatch again = apply(rt, update(t_.customer, customer222_, customer222_));
  ASSERT_EQ(again.changes.size(), 1u);
  EXPECT_EQ(cells_of(again.changes[0].after)[12], "2021-08-15 10:00:00");
  EXPECT_EQ(cells_of(again.changes[0].after)[13], "2021-08-18 08:00:00");
}

class TransformRuntimeErrors : public TransformRuntime {
 protected:
  FlowConfig failing_flow(OnError mode) const {
    FlowConfig f = simple_flow(
        "SELECT a.ticket_id, CAST(c.name AS integer) AS n FROM ticket_activity a\n"
        "LEFT JOIN customer c ON c.customer_id = a.purchased_by");
    f.on_error = mode;
    return f;
  }
};

TEST_F(TransformRuntimeErrors, FailNamesFlowColumnTableAndKey) {
  FlowRuntime rt(failing_flow(OnError::kFail), t_.all());
  rt.load_row(*t_.customer, make_row(customer222_));
  try {
    apply(rt, insert(t_.ticket_activity, activity1315_));
    FAIL() << "expected FatalError";
  } catch (const FatalError& e) {
    EXPECT_STREQ(e.what(),
                 "flow out: column n: invalid input syntax for type integer (source table "
                 "sports.ticket_activity, key ticket_id=1315)");
  }
}

TEST_F(TransformRuntimeErrors, SkipDropsTheRow) {
  FlowRuntime rt(failing_flow(OnError::kSkip), t_.all());
  rt.load_row(*t_.customer, make_row(customer222_));
  ChangeBatch out = apply(rt, insert(t_.ticket_activity, activity1315_));
  EXPECT_TRUE(out.changes.empty());
  EXPECT_TRUE(out.dead_letters.empty());
  EXPECT_EQ(rt.skipped_rows(), 1u);
  // A customer whose name is a number makes the row valid again.
  ChangeBatch fixed = apply(rt, update(t_.customer, customer222_,
                                       {"222", "12", "teresa@example.com", "+1-296-605-8486"}));
  ASSERT_EQ(fixed.changes.size(), 1u);
  EXPECT_EQ(cells_of(fixed.changes[0].after), (Cells{"1315", "12"}));
}

TEST_F(TransformRuntimeErrors, DeadLetterMasksTheRow) {
  FlowRuntime rt(failing_flow(OnError::kDeadLetter), t_.all());
  rt.load_row(*t_.customer, make_row(customer222_));
  ChangeBatch out = apply(rt, insert(t_.ticket_activity, activity1315_));
  EXPECT_TRUE(out.changes.empty());
  ASSERT_EQ(out.dead_letters.size(), 1u);
  const DeadLetter& d = out.dead_letters[0];
  EXPECT_EQ(d.flow, "out");
  EXPECT_EQ(d.error,
            "flow out: column n: invalid input syntax for type integer (source table "
            "sports.ticket_activity)");
  EXPECT_EQ(d.source_position, "");
  EXPECT_EQ(d.row_json,
            R"({"ticket_id":"****","purchased_by":"***","created_at":"****-**-** **:**:**",)"
            R"("updated_at":"****-**-** **:**:**"})");
  EXPECT_EQ(rt.dead_letter_rows(), 1u);
}

TEST_F(TransformRuntime, NowIsTheChangesCommitTime) {
  FlowRuntime rt(simple_flow("SELECT a.ticket_id, now() AS seen_at FROM ticket_activity a"),
                 t_.all());
  ChangeBatch first = apply(rt, insert(t_.ticket_activity, activity1315_));
  EXPECT_EQ(cells_of(first.changes[0].after)[1], "2021-08-15 10:00:00+00");
  Change later = update(t_.ticket_activity, activity1315_, activity1315_);
  later.commit_time_us = kCommit + 1'500'000;
  ChangeBatch second = apply(rt, later);
  EXPECT_EQ(cells_of(second.changes[0].after)[1], "2021-08-15 10:00:01.5+00");
}

TEST_F(TransformRuntime, InnerJoinRowsAppearAndDisappearWithTheirLookup) {
  FlowRuntime rt(simple_flow("SELECT a.ticket_id, c.name FROM ticket_activity a\n"
                             "JOIN customer c ON c.customer_id = a.purchased_by"),
                 t_.all());
  EXPECT_TRUE(apply(rt, insert(t_.ticket_activity, activity1315_)).changes.empty());
  ChangeBatch appears = apply(rt, insert(t_.customer, customer222_));
  ASSERT_EQ(appears.changes.size(), 1u);
  EXPECT_EQ(cells_of(appears.changes[0].after), (Cells{"1315", "Teresa Stein"}));
  ChangeBatch gone = apply(rt, remove(t_.customer, customer222_));
  ASSERT_EQ(gone.changes.size(), 1u);
  EXPECT_EQ(gone.changes[0].op, Op::kDelete);
}

TEST_F(TransformRuntime, InnerJoinKeepsRowsWithoutDeletes) {
  FlowConfig flow = simple_flow(
      "SELECT a.ticket_id, c.name FROM ticket_activity a\n"
      "JOIN customer c ON c.customer_id = a.purchased_by");
  flow.remove = false;
  FlowRuntime rt(flow, t_.all());
  rt.load_row(*t_.customer, make_row(customer222_));
  EXPECT_EQ(apply(rt, insert(t_.ticket_activity, activity1315_)).changes.size(), 1u);
  EXPECT_TRUE(apply(rt, remove(t_.customer, customer222_)).changes.empty());
}

TEST_F(TransformRuntime, ComputedKeyFollowsTheDrivingRow) {
  FlowConfig flow = simple_flow(
      "SELECT CAST(a.ticket_id AS bigint) * 10 AS ticket_id, a.purchased_by FROM "
      "ticket_activity a");
  FlowRuntime rt(flow, t_.all());
  apply(rt, insert(t_.ticket_activity, activity1315_));
  ChangeBatch out = apply(rt, remove(t_.ticket_activity, activity1315_));
  ASSERT_EQ(out.changes.size(), 1u);
  EXPECT_EQ(cells_of(out.changes[0].before), (Cells{"13150", std::nullopt}));
  EXPECT_EQ(rt.output_schema()->columns[0].warehouse_type, "bigint");
  EXPECT_TRUE(rt.output_schema()->columns[0].is_key);
}

TEST_F(TransformRuntime, CompositeKeyLookups) {
  auto seat =
      testing::make_table("seat", {testing::col("event_id", LogicalType::kInt32, "integer", true),
                                   testing::col("seat_location", LogicalType::kText, "text", true),
                                   testing::col("view", LogicalType::kText, "text")});
  auto tables = t_.all();
  tables.push_back(seat);
  FlowConfig flow = simple_flow(
      "SELECT a.ticket_id, s.view FROM ticket_activity a\n"
      "LEFT JOIN ticket t ON t.ticket_id = a.ticket_id\n"
      "LEFT JOIN seat s ON s.seat_location = t.seat_location AND t.event_id = s.event_id");
  FlowRuntime rt(flow, tables);
  rt.load_row(*t_.ticket, make_row(ticket1315_));
  rt.load_row(*t_.ticket_activity, make_row(activity1315_));
  rt.load_row(*seat, make_row({"35", "S-2", "poor"}));
  ChangeBatch none;
  rt.emit_all(none);
  EXPECT_EQ(cells_of(none.changes[0].after)[1], std::nullopt);
  ChangeBatch found = apply(rt, insert(seat, {"35", "S-1", "great"}));
  ASSERT_EQ(found.changes.size(), 1u);
  EXPECT_EQ(cells_of(found.changes[0].after)[1], "great");
  EXPECT_TRUE(apply(rt, update(seat, {"35", "S-2", "poor"}, {"35", "S-2", "bad"})).changes.empty());
}

TEST_F(TransformRuntime, IgnoresTablesTheFlowDoesNotRead) {
  FlowRuntime rt(simple_flow("SELECT a.ticket_id FROM ticket_activity a"), t_.all());
  EXPECT_TRUE(apply(rt, insert(t_.customer, customer222_)).changes.empty());
  EXPECT_EQ(rt.tables(), (std::vector<std::string>{"sports.ticket_activity"}));
}

TEST_F(TransformRuntime, RefusesATableWhoseColumnsChanged) {
  FlowRuntime rt(reference_flow(), t_.all());
  auto altered = std::make_shared<TableSchema>(*t_.customer);
  altered->columns.push_back(testing::col("vip", LogicalType::kBool, "boolean"));
  EXPECT_THROW(apply(rt, insert(altered, {"1", "a", "b", "c", "t"})), FatalError);
  EXPECT_THROW(apply(rt, insert(t_.customer, {"1", "a"})), FatalError);
}

}  // namespace
}  // namespace sluice::transform
