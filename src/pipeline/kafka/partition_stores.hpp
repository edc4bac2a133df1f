#pragma once
// The flow state of `sluice apply` on local disk: one RocksDB store per process (a slot
// under the pipeline's state directory), holding the flows of each driving partition the
// process has owned under that partition's key prefix, each stamped with what it is the
// state of. A partition's stamp names the next driving offset its state has read, the
// lookup offsets it has read, and whether the warehouse already holds every destination row
// of that state (`complete`).
//
// Why a reused stamp is exact: the warehouse commits a batch (with the driving offsets),
// then the store commits the batch's state with the new stamp. A stamp is therefore never
// ahead of the warehouse's driving offset, and every destination row written after the
// stamp was written from lookups at least as new as the stamp's (each owner reads lookups
// to their end before it writes). So on assignment the partition replays its driving
// messages from the stamp to the warehouse offset into the state alone, and then the
// lookup messages after the stamp with their output written: every lookup key changed since
// then is rewritten at its newest version, and the others match what the warehouse holds.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/pipeline_config.hpp"
#include "state/state_store.hpp"
#include "transport/kafka/kafka_offset.hpp"

namespace sluice {

using PartitionOffsets = std::map<kafka::TopicPartition, kafka::KafkaOffset>;

struct PartitionStamp {
  kafka::KafkaOffset driving;  // the next driving offset read into the state (none: -1)
  PartitionOffsets lookups;    // the next offset read of every lookup partition
  bool complete = false;       // false: a rebuild that has not written its rows yet
};

class PartitionStores {
 public:
  // Opens the first slot under state_directory(config) no other process holds. A store of
  // another pipeline or flow definition (`definition`) is emptied, with a line that says so.
  PartitionStores(const PipelineConfig& config, std::string definition);

  state::StateStore& store() { return *store_; }
  const std::string& dir() const { return dir_; }

  // The key prefix of the flows of `partition`.
  static std::string key_prefix(const kafka::TopicPartition& partition);

  std::optional<PartitionStamp> stamp(const kafka::TopicPartition& partition) const;
  // Removes the state and the stamp of `partition` into `batch`.
  static void forget(const kafka::TopicPartition& partition, state::StateBatch& batch);
  // Writes `batch` and the stamps in one synced write.
  void commit(state::StateBatch& batch, const std::map<kafka::TopicPartition, PartitionStamp>&);

 private:
  Result<std::unique_ptr<state::StateStore>> open_slot(const std::string& dir);

  const PipelineConfig& config_;
  std::string definition_;
  std::string dir_;
  std::unique_ptr<state::StateStore> store_;
};

}  // namespace sluice
