#pragma once
// The PostgreSQL warehouse: destination tables in the sink schema, staging + MERGE per
// batch, and the checkpoint row written in the same transaction as the rows.

#include <map>
#include <memory>
#include <string>

#include "config/pipeline_config.hpp"
#include "config/table_names.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/postgres/sql_dialect.hpp"
#include "sink/postgres/staging_merge.hpp"
#include "sink/postgres/stream_offset_table.hpp"
#include "sink/sink.hpp"

namespace sluice::warehouse {

class PostgresSink : public Sink {
 public:
  explicit PostgresSink(const PipelineConfig& config);

  Checkpoint checkpoint(CheckpointKind kind) override;
  void prepare_table(const TableSchema& table) override;
  void load_snapshot(const TableSchema& table, CopyTextReader& rows) override;
  void finish_snapshot(const Position& position) override;
  Result<void> apply(const ChangeBatch& batch, const std::optional<Checkpoint>& commit) override;
  void reset() override;

 private:
  void lock_setup();
  // The statements that touch rows other transactions may hold (merge, truncate,
  // checkpoint, dead letters, COMMIT) and the loads through S3 return their error; the
  // caller acts on its code.
  Result<void> apply_in_transaction(const ChangeBatch& batch,
                                    const std::optional<Checkpoint>& commit);
  Result<StagingMerge*> staging_for(const TableSchemaPtr& table);
  Result<void> flush_staged();
  Result<void> stage(const ChangeBatch& batch);
  const StreamOffsetTable& offset_table();
  std::optional<Position> stored_position();
  Result<void> truncate(const TableSchemaPtr& table);
  Result<void> write_checkpoint(const Position& position, int64_t commit_time_us);
  Result<void> write_dead_letters(const std::vector<DeadLetter>& dead_letters);
  Result<void> end_transaction(std::string_view statement);

  std::string target_of(const TableSchema& table) const;
  void replace_rows(PgConnection& conn, const TableSchema& table, CopyTextReader& rows);
  void replace_rows_through_s3(PgConnection& conn, const TableSchema& table, CopyTextReader& rows);
  void load_by_insert(PgConnection& conn, const std::string& insert_prefix,
                      const TableSchema& table, CopyTextReader& rows);

  const PipelineConfig& config_;
  std::unique_ptr<SqlDialect> dialect_;
  WarehouseNames names_;
  PgConnection conn_;
  std::string checkpoint_table_;
  std::string dead_letter_table_;
  bool in_transaction_ = false;
  int next_staging_id_ = 0;
  // By source table ("schema.name"): one staging table each, replaced when the table's
  // columns change, however often the source resends an unchanged schema.
  std::map<std::string, std::unique_ptr<StagingMerge>> staging_;
  std::vector<StagingMerge*> staged_;  // tables with changes queued in this segment
  // Created on first use, so the single-process path never sees the table.
  std::optional<StreamOffsetTable> offset_table_;
  std::optional<S3Staging> s3_;  // sink.s3 configured
};

// CREATE TABLE IF NOT EXISTS for the destination schema.name, then ADD COLUMN for any
// it lacks.
void create_or_extend_table(PgConnection& conn, const SqlDialect& dialect,
                            const std::string& schema, const std::string& name,
                            const TableSchema& table);

}  // namespace sluice::warehouse
