// The PostgreSQL sink commits rows together with either kind of checkpoint and reads it back
// from the tables existing deployments already hold: the source position in
// sluice_checkpoint, stream offsets (Kafka partitions) in sluice_kafka_offsets, written only
// while the stored offset is the one the writer expects.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "harness/pg_server.hpp"
#include "harness/test_dir.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/postgres/sink_admin.hpp"

namespace sluice::test {
namespace {

TableSchemaPtr orders_table() {
  auto table = std::make_shared<TableSchema>();
  table->schema = "public";
  table->name = "orders";
  table->columns = {{"id", LogicalType::kInt64, "bigint", true},
                    {"note", LogicalType::kText, "text", false}};
  return table;
}

class SinkCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string database = pipeline_name_for_test("ckpt");
    shared_pg_server().create_database(database);
    config_.name = "pipe";
    config_.sink.url = shared_pg_server().url("postgres", "", database);
    config_.sink.schema = "wh";
    sink_ = warehouse::make_sink(config_);
    conn_.emplace(config_.sink.url, PgConnection::Mode::kNormal, "test");
  }

  ChangeBatch inserts(const std::vector<std::string>& ids) const {
    ChangeBatch batch;
    for (const std::string& id : ids) {
      Change change;
      change.table = table_;
      change.after.append(id);
      change.after.append("note " + id);
      batch.changes.push_back(std::move(change));
    }
    return batch;
  }

  static Checkpoint at_offset(std::optional<int64_t> expected, int64_t next) {
    return {.offsets = {{.part = {"orders", 0}, .expected = expected, .next = next}}};
  }

  // Ids in wh.orders as another session sees them, "1,2"; "" when none (or no table yet).
  std::string committed_ids() {
    if (conn_->scalar("SELECT to_regclass('wh.orders') IS NULL") == "t") return "";
    return conn_->scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM wh.orders")
        .value_or("");
  }

  std::string stored_offsets() {
    return conn_
        ->scalar(
            "SELECT string_agg(pipeline || ' ' || topic || '/' || \"partition\" || ' ' || "
            "next_offset, ',' ORDER BY topic, \"partition\") FROM wh.sluice_kafka_offsets")
        .value_or("");
  }

  PipelineConfig config_;
  TableSchemaPtr table_ = orders_table();
  std::unique_ptr<Sink> sink_;
  std::optional<PgConnection> conn_;
};

TEST_F(SinkCheckpoint, StreamOffsetsCommitWithTheRowsAndReadBack) {
  Checkpoint commit = {
      .offsets = {{.part = {"orders", 0}, .next = 5}, {.part = {"orders", 1}, .next = 7}}};
  ASSERT_TRUE(sink_->apply(inserts({"1", "2"}), commit).ok());
  EXPECT_EQ(committed_ids(), "1,2");
  EXPECT_EQ(stored_offsets(), "pipe orders/0 5,pipe orders/1 7");

  Checkpoint stored = sink_->checkpoint(CheckpointKind::kStreamOffsets);
  EXPECT_FALSE(stored.position.has_value());
  ASSERT_EQ(stored.offsets.size(), 2u);
  std::ranges::sort(stored.offsets, {}, &StreamOffset::part);
  EXPECT_EQ(stored.offsets[0].part, (StreamPart{"orders", 0}));
  EXPECT_EQ(stored.offsets[0].next, 5);
  EXPECT_EQ(stored.offsets[1].part, (StreamPart{"orders", 1}));
  EXPECT_EQ(stored.offsets[1].next, 7);
}

// Another process stored the part's offset first: this one's first write is fenced and
// commits nothing, and the same sink then applies from the offset it reads back.
TEST_F(SinkCheckpoint, AStaleExpectedOffsetIsFencedAndTheSinkAppliesAfterwards) {
  EXPECT_TRUE(sink_->checkpoint(CheckpointKind::kStreamOffsets).offsets.empty());
  conn_->exec("INSERT INTO wh.sluice_kafka_offsets VALUES ('pipe', 'orders', 0, 5)");

  Result<void> fenced = sink_->apply(inserts({"1"}), at_offset(std::nullopt, 3));
  ASSERT_FALSE(fenced.ok());
  EXPECT_EQ(fenced.error().code(), Errc::kFenced) << fenced.error().message();
  EXPECT_TRUE(fenced.error().retriable());
  EXPECT_EQ(committed_ids(), "");
  EXPECT_EQ(stored_offsets(), "pipe orders/0 5");

  Result<void> applied = sink_->apply(inserts({"6"}), at_offset(5, 7));
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  EXPECT_EQ(committed_ids(), "6");
  EXPECT_EQ(stored_offsets(), "pipe orders/0 7");
}

// A batch without a checkpoint ends inside a source transaction: nothing is visible until
// the batch that carries the position commits both.
TEST_F(SinkCheckpoint, TheSourcePositionCommitsOnlyWithTheBatchThatEndsATransaction) {
  EXPECT_FALSE(sink_->checkpoint(CheckpointKind::kSourcePosition).position.has_value());
  sink_->prepare_table(*table_);
  sink_->finish_snapshot(Lsn{0x100});
  EXPECT_EQ(sink_->checkpoint(CheckpointKind::kSourcePosition).position, Position(Lsn{0x100}));

  ASSERT_TRUE(sink_->apply(inserts({"1"}), std::nullopt).ok());
  EXPECT_EQ(committed_ids(), "");
  ASSERT_TRUE(sink_->apply(inserts({"2"}), Checkpoint{.position = Lsn{0x200}}).ok());
  EXPECT_EQ(committed_ids(), "1,2");
  EXPECT_EQ(conn_->scalar("SELECT position FROM wh.sluice_checkpoint WHERE pipeline = 'pipe'"),
            "pg:0/200");
  EXPECT_EQ(sink_->checkpoint(CheckpointKind::kSourcePosition).position, Position(Lsn{0x200}));
  EXPECT_EQ(conn_->scalar("SELECT to_regclass('wh.sluice_kafka_offsets') IS NULL"), "t")
      << "a run that reads no stream offsets creates no table for them";
}

// The dead letters commit with the batch's rows and position, or none of them do: a
// refused dead-letter insert comes back from apply, and the sink applies the batch again
// once the table takes rows.
TEST_F(SinkCheckpoint, ARefusedDeadLetterInsertCommitsNothingAndTheSinkAppliesAfterwards) {
  ChangeBatch batch = inserts({"1", "2"});
  batch.dead_letters.push_back(
      {.flow = "orders_flow", .error = "bad row", .source_position = "pg:0/150", .row_json = "{}"});
  conn_->exec("ALTER TABLE wh.sluice_dead_letter ADD CONSTRAINT refuse_all CHECK (false)");

  Result<void> refused = sink_->apply(batch, Checkpoint{.position = Lsn{0x200}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Errc::kRefused) << refused.error().message();
  EXPECT_EQ(refused.error().server_code(), "23514");
  EXPECT_EQ(committed_ids(), "");
  EXPECT_FALSE(sink_->checkpoint(CheckpointKind::kSourcePosition).position.has_value());

  conn_->exec("ALTER TABLE wh.sluice_dead_letter DROP CONSTRAINT refuse_all");
  Result<void> applied = sink_->apply(batch, Checkpoint{.position = Lsn{0x200}});
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  EXPECT_EQ(committed_ids(), "1,2");
  EXPECT_EQ(
      conn_->scalar("SELECT string_agg(flow || ' ' || error, ',') FROM wh.sluice_dead_letter"),
      "orders_flow bad row");
  EXPECT_EQ(sink_->checkpoint(CheckpointKind::kSourcePosition).position, Position(Lsn{0x200}));
}

}  // namespace
}  // namespace sluice::test
