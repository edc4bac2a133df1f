#pragma once
// `sluice apply`: Kafka into the warehouse, as one member of a consumer group. Each
// warehouse transaction stores, with the rows, the next offset of every partition it read
// (Sink::apply's checkpoint); on assignment each partition starts at its stored offset,
// so every message is applied exactly once however processes die or partitions move.
// With flows, each change goes through KafkaFlowState first.

#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "config/pipeline_config.hpp"
#include "pipeline/kafka/flow_state.hpp"
#include "sink/sink.hpp"
#include "transport/kafka/change_codec.hpp"
#include "transport/kafka/kafka_consumer.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice {

class KafkaApply : public kafka::RebalanceListener {
 public:
  KafkaApply(const PipelineConfig& config, bool until_caught_up);
  // Returns when caught up (with until_caught_up) or after a stop request.
  void run();

  std::vector<kafka::KafkaOffset> on_assigned(
      const std::vector<kafka::TopicPartition>& partitions) override;
  void on_revoked(const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  bool run_session();
  void learn_capture_topics(const kafka::TopicLayout& layout);
  // Changes of a partition's source transaction not yet complete in this process.
  struct Held {
    std::vector<Change> changes;
    size_t row_bytes = 0;
    kafka::KafkaOffset next;  // after the last message held
  };

  void consume(const rd_kafka_message_t& message);
  void release(const kafka::TopicPartition& tp, Held& held);
  void write_slice(ChangeBatch& part);
  bool batch_due() const;
  void commit();
  bool caught_up() const;
  void discard();
  bool batch_empty() const;
  void started_batch();

  const PipelineConfig& config_;
  bool until_caught_up_;
  Sink* sink_ = nullptr;
  kafka::KafkaConsumer* consumer_ = nullptr;
  std::unique_ptr<KafkaFlowState> flows_;  // null: mirror
  kafka::ChangeDecoder decoder_;
  ChangeBatch batch_;
  std::map<kafka::TopicPartition, kafka::PartitionProgress> progress_;  // read into batch_
  std::map<kafka::TopicPartition, kafka::KafkaOffset>
      stored_;  // the warehouse's offset, per assigned partition
  std::map<kafka::TopicPartition, Held> held_;
  std::set<kafka::TopicPartition> at_end_;  // read up to the end of the partition
  std::chrono::steady_clock::time_point batch_start_;
  bool batch_started_ = false;
  size_t sliced_rows_ = 0;  // of this batch, already written into its open transaction
  uint64_t applied_ = 0;
};

}  // namespace sluice
