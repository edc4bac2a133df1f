#pragma once
// Flows inside `sluice apply`. The group shares the partitions of the driving tables;
// lookup (dimension) tables are read in full by every process with a reader outside the
// group, so a join never needs rows another process holds. On every assignment the
// state is rebuilt from scratch: lookup topics to their end, each assigned driving
// partition up to its warehouse offset; then every destination row of that state is
// upserted again, so the destination reflects the current lookup rows whatever a
// previous owner had seen. The topics are compacted (capture writes a tombstone after
// each delete), so this works however old they are; the state may then hold an older
// version of a driving row than the warehouse, which the flows allow for
// (FlowSet::set_state_may_trail_warehouse).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "pipeline/flow_set.hpp"
#include "transport/kafka/change_codec.hpp"
#include "transport/kafka/kafka_consumer.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice {

class KafkaFlowState {
 public:
  // Reads the table schemas capture recorded; throws ConnectionError when there are none
  // yet (capture has not started) and ConfigError when a flow does not compile.
  KafkaFlowState(const PipelineConfig& config, const kafka::TopicLayout& layout);
  ~KafkaFlowState();

  const std::vector<std::string>& driving_topics() const { return driving_topics_; }

  // Rebuilds the state for the partitions now assigned (with their warehouse offsets) and
  // appends an upsert of every destination row it yields to `out`.
  void rebuild(const std::map<kafka::TopicPartition, kafka::KafkaOffset>& assigned,
               ChangeBatch& out);
  // The partitions were revoked: the state no longer matches what this process owns.
  void drop();

  // One change of a driving table, transformed into `out`.
  void apply(const Change& change, ChangeBatch& out);
  // Lookup-table changes that arrived since the last call, transformed into `out`;
  // returns how many were read.
  size_t poll_lookups(ChangeBatch& out);

 private:
  // Reads `partitions` from the beginning up to the given end offsets into the flows,
  // discarding what they emit.
  void replay(kafka::KafkaConsumer& reader,
              std::map<kafka::TopicPartition, kafka::KafkaOffset> ends);
  void feed(const rd_kafka_message_t& message, ChangeBatch& out);

  const PipelineConfig& config_;
  std::vector<TableSchemaPtr> schemas_;
  std::vector<std::string> driving_topics_;
  std::vector<std::string> lookup_topics_;
  std::unique_ptr<FlowSet> flows_;
  std::unique_ptr<kafka::KafkaConsumer> lookups_;
  kafka::ChangeDecoder decoder_;
  ChangeBatch one_;
  ChangeBatch discarded_;
};

}  // namespace sluice
