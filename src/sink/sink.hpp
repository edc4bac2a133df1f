#pragma once
// The warehouse side: applies batches of changes to destination tables together with the
// source position, in one transaction, and reads that position back on start.

#include <map>
#include <optional>
#include <vector>

#include "copytext/copy_text_reader.hpp"
#include "core/change.hpp"
#include "core/error.hpp"
#include "transport/kafka/kafka_offset.hpp"

namespace sluice {

class Sink {
 public:
  virtual ~Sink() = default;

  // The position stored by the last committed batch, or nullopt when the pipeline has
  // not finished its snapshot.
  virtual std::optional<Position> checkpoint() = 0;

  // Creates the destination table if missing and adds columns it lacks.
  virtual void prepare_table(const TableSchema& table) = 0;

  // Replaces a destination table's contents with the snapshot rows (its own transaction).
  virtual void load_snapshot(const TableSchema& table, CopyTextReader& rows) = 0;

  // Marks the snapshot complete at `position`: streaming resumes there from now on.
  virtual void finish_snapshot(const Position& position) = 0;

  // Applies the changes. Commits together with batch.commit_position when set; otherwise
  // the warehouse transaction stays open for the rest of the source transaction.
  virtual void apply(const ChangeBatch& batch) = 0;

  // `sluice apply`: the next offset of every partition this pipeline has applied from Kafka.
  virtual std::map<kafka::TopicPartition, kafka::KafkaOffset> kafka_offsets() = 0;

  // `sluice apply`: applies the changes and records `progress` in one warehouse
  // transaction (batch.commit_position is ignored). Returns Errc::kFenced, having rolled
  // back, when a partition's stored offset is no longer progress.expected: another apply
  // process took the partition over.
  virtual Result<void> apply(const ChangeBatch& batch,
                             const std::vector<kafka::PartitionProgress>& progress) = 0;

  // Drops the checkpoint so the next run starts over.
  virtual void reset() = 0;
};

}  // namespace sluice
