#pragma once
// Capture's writing side: source changes (and snapshot rows, as op "r") encoded into
// their table's topic and key's partition. Creates topics on first use and records each
// table's schema next to capture's position.

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "config/pipeline_config.hpp"
#include "source/source.hpp"
#include "transport/kafka/capture_position.hpp"
#include "transport/kafka/kafka_producer.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice {

class KafkaPublisher : public SnapshotConsumer {
 public:
  KafkaPublisher(const PipelineConfig& config, kafka::KafkaProducer& producer);

  // Snapshot rows; called from several threads at once.
  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override;
  // Stream changes, with kTxOpenHeader on every message followed by another of the same
  // source transaction in its partition. The last message of a transaction still open
  // at the end of the batch is sent with a later batch (producer flushes happen only at
  // commits, so nothing waits on it).
  void publish(const ChangeBatch& batch);

  uint64_t messages() const { return messages_; }

 private:
  struct Target {
    const std::string* topic;
    int32_t partition;
  };
  const std::string& topic_of(const TableSchema& table, int& partitions);
  const ChangeBatch& split_key_moves(const ChangeBatch& batch);
  struct Encoded {
    std::string key;
    std::string value;
    bool tombstone = false;  // no value at all: the key's row is gone, for compaction
  };
  void produce(const Target& target, const Encoded& message, bool tx_open);
  void stream(const Target& target, Encoded message);
  void end_transaction();

  const PipelineConfig& config_;
  kafka::KafkaProducer& producer_;
  kafka::TopicLayout layout_;
  kafka::CapturePosition records_;  // where table schemas are recorded for apply
  std::string db_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, int>> topics_;  // by table: name, partitions
  std::atomic<uint64_t> messages_{0};
  ChangeBatch split_;
  // Per partition, the last stream message of the current transaction, not yet sent.
  std::map<std::pair<const std::string*, int32_t>, Encoded> tails_;
  uint64_t tail_xid_ = 0;
  const TableSchema* last_table_ = nullptr;  // whose replica identity was checked last
};

}  // namespace sluice
