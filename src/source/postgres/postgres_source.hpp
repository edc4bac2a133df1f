#pragma once
// The PostgreSQL source: a publication and a pgoutput logical slot named after the
// pipeline, a consistent snapshot through the slot's exported snapshot, then the stream.

#include <memory>

#include "config/pipeline_config.hpp"
#include "source/postgres/pg_catalog.hpp"
#include "source/postgres/pgoutput_decoder.hpp"
#include "source/postgres/replication_stream.hpp"
#include "source/source.hpp"

namespace sluice::pg {

class PostgresSource : public Source {
 public:
  PostgresSource(const PipelineConfig& config, bool until_caught_up);

  Position start(const std::optional<Position>& resume, SnapshotConsumer& consumer) override;
  std::vector<TableSchemaPtr> tables() const override { return schemas_; }
  ReadStatus read(ChangeBatch& batch, const ReadLimits& limits) override;
  void acknowledge(const Position& position) override;

 private:
  void copy_tables(const std::string& snapshot_name, SnapshotConsumer& consumer);
  void release_idle_wal();
  // Returns true when the batch must be handed to the sink now.
  bool on_message(std::span<const uint8_t> message, ChangeBatch& batch, const ReadLimits& limits);
  bool ends_batch_at_commit(const ChangeBatch& batch, const ReadLimits& limits);

  const PipelineConfig& config_;
  bool until_caught_up_;
  std::vector<TableRef> table_refs_;
  std::vector<TableSchemaPtr> schemas_;
  std::vector<uint64_t> estimated_rows_;  // by schemas_ index
  std::unique_ptr<ReplicationStream> stream_;
  PgOutputDecoder decoder_;
  Lsn resume_after_;  // transactions committed before this are in the warehouse already
  Lsn caught_up_target_;
  Lsn last_commit_end_;
  Lsn acknowledged_;
  bool in_transaction_ = false;
  bool skipping_transaction_ = false;
  // A batch went to the sink inside the transaction being read: its commit ends the next
  // batch, so a run of transactions larger than a batch still commits in the warehouse.
  bool passed_in_transaction_ = false;
};

}  // namespace sluice::pg
