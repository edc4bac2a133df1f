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
  // Stream changes, with kTxOpenHeader on every message that has a later message of the
  // same source transaction in its partition within this batch, or that belongs to the
  // batch's last transaction when the batch does not end it.
  void publish(const ChangeBatch& batch);

  uint64_t messages() const { return messages_; }

 private:
  struct Target {
    const std::string* topic;
    int32_t partition;
  };
  const std::string& topic_of(const TableSchema& table, int& partitions);
  std::vector<bool> open_marks(const ChangeBatch& batch, const std::vector<Target>& targets) const;
  const ChangeBatch& split_key_moves(const ChangeBatch& batch);
  void send(const Change& change, const Target& target, bool snapshot, bool tx_open);

  const PipelineConfig& config_;
  kafka::KafkaProducer& producer_;
  kafka::TopicLayout layout_;
  kafka::CapturePosition records_;  // where table schemas are recorded for apply
  std::string db_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, int>> topics_;  // by table: name, partitions
  std::atomic<uint64_t> messages_{0};
  ChangeBatch split_;
};

}  // namespace sluice
