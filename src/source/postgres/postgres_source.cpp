#include "source/postgres/postgres_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "config/table_names.hpp"
#include "core/error.hpp"
#include "source/parallel_copy.hpp"
#include "source/postgres/pg_admin.hpp"
#include "source/postgres/snapshot_copier.hpp"

namespace sluice::pg {

PostgresSource::PostgresSource(const PipelineConfig& config, bool until_caught_up)
    : config_(config), until_caught_up_(until_caught_up) {}

Position PostgresSource::start(const std::optional<Position>& resume, SnapshotConsumer& consumer) {
  std::string slot = slot_name(config_.name);
  std::string publication = publication_name(config_.name);
  {
    PgConnection catalog(config_.source.url, PgConnection::Mode::kNormal, "source");
    table_refs_ = resolve_tables(catalog, config_.source.tables);
    if (table_refs_.empty())
      throw ConfigError("source: no tables to capture (none configured, none with a primary key)");
    schemas_.clear();
    estimated_rows_.clear();
    std::unordered_map<std::string, std::vector<std::string>> keys;
    for (const TableRef& t : table_refs_) {
      TableSchemaPtr schema = read_table_schema(catalog, t);
      for (size_t i : schema->key_indexes()) keys[t.qualified()].push_back(schema->columns[i].name);
      schemas_.push_back(std::move(schema));
      estimated_rows_.push_back(estimated_rows(catalog, t));
    }
    decoder_.set_primary_keys(std::move(keys));
    WarehouseNames(config_).check_distinct(schemas_);
    ensure_publication(catalog, publication, table_refs_);
    // The insert position, not the write position: with synchronous_commit = off a
    // transaction can have committed while its WAL is still in memory.
    caught_up_target_ = parse_lsn(catalog.scalar("SELECT pg_current_wal_insert_lsn()").value());
  }
  stream_ = std::make_unique<ReplicationStream>(config_.source.url);
  in_transaction_ = false;
  passed_in_transaction_ = false;
  if (resume.has_value()) {
    if (!stream_->slot_exists(slot))
      throw ConfigError(fmt::format(
          "source: replication slot {} is gone, so changes since the checkpoint cannot be read; "
          "run `sluice reset -c {}` and start again (a new snapshot)",
          slot, config_.file));
    if (!std::holds_alternative<Lsn>(*resume))
      throw ConfigError(fmt::format(
          "{}: the warehouse checkpoint of pipeline {} is {}, not a PostgreSQL position; use "
          "another pipeline name or run `sluice reset`",
          config_.file, config_.name, to_string(*resume)));
    resume_after_ = std::get<Lsn>(*resume);
    spdlog::info("source: resuming slot {} at {}", slot, to_string(resume_after_));
  } else {
    // A slot without a checkpoint belongs to a snapshot that never finished.
    if (stream_->slot_exists(slot)) stream_->drop_slot(slot);
    CreatedSlot created = stream_->create_slot(slot);
    spdlog::info("source: created slot {} at {}; copying {} tables", slot,
                 to_string(created.consistent_point), schemas_.size());
    copy_tables(created.snapshot_name, consumer);
    resume_after_ = created.consistent_point;
  }
  caught_up_target_ = std::max(caught_up_target_, resume_after_);
  last_commit_end_ = acknowledged_ = resume_after_;
  stream_->start(slot, publication, resume_after_);
  return resume_after_;
}

void PostgresSource::copy_tables(const std::string& snapshot_name, SnapshotConsumer& consumer) {
  for (size_t i = 0; i < schemas_.size(); ++i)
    consumer.expect_rows(schemas_[i], estimated_rows_[i]);
  copy_tables_in_parallel(schemas_.size(), static_cast<size_t>(config_.source.snapshot_parallelism),
                          [&](size_t /*worker*/, size_t table) {
                            copy_table_in_snapshot(config_.source.url, snapshot_name,
                                                   schemas_[table], consumer);
                          });
}

ReadStatus PostgresSource::read(ChangeBatch& batch, const ReadLimits& limits) {
  // With --until-caught-up, poll briefly so the end of the backlog is noticed at once
  // rather than after a whole batch delay.
  constexpr auto kCaughtUpPoll = std::chrono::milliseconds(20);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    // Inside a transaction the deadline does not end the batch: it ends at the commit.
    auto wait_until = in_transaction_    ? now + std::chrono::seconds(1)
                      : until_caught_up_ ? std::min(limits.deadline, now + kCaughtUpPoll)
                                         : limits.deadline;
    std::optional<std::span<const uint8_t>> message = stream_->next_message(wait_until);
    if (message) {
      if (on_message(*message, batch, limits)) return ReadStatus::kData;
      continue;
    }
    if (in_transaction_) continue;
    if (!batch.changes.empty() || batch.commit_position) return ReadStatus::kData;
    release_idle_wal();
    if (until_caught_up_) {
      if (last_commit_end_ >= caught_up_target_ ||
          stream_->keepalive_wal_end() >= caught_up_target_) {
        spdlog::debug("source: caught up with {} (last commit {}, server sent {})",
                      to_string(caught_up_target_), to_string(last_commit_end_),
                      to_string(stream_->keepalive_wal_end()));
        return ReadStatus::kCaughtUp;
      }
      // Ask for a keepalive: it reports how far the server has sent.
      stream_->send_status(acknowledged_, /*request_reply=*/true);
    }
    if (std::chrono::steady_clock::now() >= limits.deadline) return ReadStatus::kIdle;
  }
}

// Everything received is applied: confirm the server's sent position too, so WAL written
// by unrelated traffic is not pinned by an idle slot.
void PostgresSource::release_idle_wal() {
  if (acknowledged_ >= last_commit_end_ && stream_->keepalive_wal_end() > acknowledged_) {
    acknowledged_ = stream_->keepalive_wal_end();
    stream_->send_status(acknowledged_, false);
  }
}

bool PostgresSource::ends_batch_at_commit(const ChangeBatch& batch, const ReadLimits& limits) {
  bool passed = std::exchange(passed_in_transaction_, false);
  return passed || (batch.commit_position.has_value() && limits.one_transaction) ||
         limits.full(batch) || std::chrono::steady_clock::now() >= limits.deadline ||
         (until_caught_up_ && last_commit_end_ >= caught_up_target_);
}

bool PostgresSource::on_message(std::span<const uint8_t> message, ChangeBatch& batch,
                                const ReadLimits& limits) {
  if (message.empty()) return false;
  if (message[0] == 'I' || message[0] == 'U' || message[0] == 'D') {
    if (skipping_transaction_) return false;
    Change& change = batch.changes.emplace_back();
    decoder_.decode(message, change);
    const TransactionInfo& tx = decoder_.transaction();
    change.commit_time_us = tx.commit_time_us;
    change.xid = tx.xid;
    change.source_offset = SourceOffset{stream_->message_lsn().value};
    batch.row_bytes += change.row_bytes();
    if (!limits.full(batch)) return false;
    passed_in_transaction_ = true;
    return true;
  }
  Change unused;
  MessageKind kind = decoder_.decode(message, unused);
  const TransactionInfo& tx = decoder_.transaction();
  switch (kind) {
    case MessageKind::kBegin:
      in_transaction_ = true;
      skipping_transaction_ = tx.final_lsn < resume_after_;
      batch.commit_position.reset();
      return false;
    case MessageKind::kCommit:
      in_transaction_ = false;
      last_commit_end_ = tx.end_lsn;
      if (!skipping_transaction_) {
        batch.commit_position = tx.end_lsn;
        batch.last_commit_time_us = tx.commit_time_us;
      }
      skipping_transaction_ = false;
      return ends_batch_at_commit(batch, limits);
    case MessageKind::kTruncate:
      if (skipping_transaction_) return false;
      for (const TableSchemaPtr& table : decoder_.truncated_tables()) {
        Change& change = batch.changes.emplace_back();
        change.op = Op::kTruncate;
        change.table = table;
        change.commit_time_us = tx.commit_time_us;
        change.xid = tx.xid;
      }
      return false;
    default:
      return false;
  }
}

void PostgresSource::acknowledge(const Position& position) {
  acknowledged_ = std::max(acknowledged_, std::get<Lsn>(position));
  stream_->send_status(acknowledged_, false);
}

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up) {
  return std::make_unique<PostgresSource>(config, until_caught_up);
}

}  // namespace sluice::pg
