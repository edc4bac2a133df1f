#pragma once
// Flows inside `sluice apply`. The group shares the partitions of the driving tables;
// lookup (dimension) tables are read in full by every process with a reader outside the
// group, so a join never needs rows another process holds. Each assigned driving partition
// has flows of its own, kept in the process's state store (PartitionStores) and stamped
// with the offsets they have read.
//
// On assignment a partition whose stamp serves resumes from it (its driving messages up to
// the warehouse offset into the state only, then the lookup messages since the stamp, their
// output written). Any other is rebuilt from the topics (from the beginning: they are
// compacted, capture writing a tombstone after each delete, so this works however old they
// are), and then every destination row of its state is upserted again, so the destination
// reflects the current lookup rows whatever a previous owner had seen. A compacted topic
// keeps only the last message of a key, so the state may hold an older version of a driving
// row than the warehouse, which the flows allow for (FlowSet::set_state_may_trail_warehouse).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "pipeline/flow_set.hpp"
#include "pipeline/kafka/partition_stores.hpp"
#include "transport/kafka/change_codec.hpp"
#include "transport/kafka/kafka_consumer.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice {

class KafkaFlowState {
 public:
  // Reads the table schemas capture recorded; throws ConnectionError when there are none
  // yet (capture has not started) and ConfigError when a flow does not compile. Opens the
  // process's state store. `slicer` takes the output written to the warehouse as it fills
  // a slice (a lookup change that fans out, a rebuilt partition's rows).
  KafkaFlowState(const PipelineConfig& config, const kafka::TopicLayout& layout,
                 transform::OutputSlicer slicer);
  ~KafkaFlowState();

  const std::vector<std::string>& driving_topics() const { return driving_topics_; }

  // Brings the flows of the partitions now assigned to their warehouse offsets and appends
  // to `out` what the destination needs to match them.
  void assign(const PartitionOffsets& warehouse, ChangeBatch& out);
  // The partitions were revoked: the state no longer matches what this process owns.
  void drop();

  // One change of a driving partition, transformed into `out`.
  void apply(const kafka::TopicPartition& partition, Change&& change, ChangeBatch& out);
  // Lookup-table changes that arrived since the last call, transformed into `out`;
  // returns how many were read.
  size_t poll_lookups(ChangeBatch& out);

  // The warehouse committed everything transformed so far, at offsets `warehouse`: the
  // store records the same state.
  void commit(const PartitionOffsets& warehouse);

 private:
  struct Partition {
    std::unique_ptr<FlowSet> flows;
    PartitionStamp stamp;  // what the flows have read
  };
  using Feed = std::function<void(const rd_kafka_message_t&)>;

  // Reads each partition from `starts` up to `ends` (exclusive) into `feed`.
  void replay(kafka::KafkaConsumer& reader, const PartitionOffsets& starts, PartitionOffsets ends,
              const Feed& feed);
  void replay_driving(const PartitionOffsets& warehouse);
  void replay_lookups(ChangeBatch& out);
  void rewrite_rebuilt(ChangeBatch& out);
  // Every so many replayed messages, the state of `partitions` is committed at their stamps,
  // so that memory stays bounded and a crash resumes from there.
  void checkpoint_replay(bool incomplete_only);
  bool decode(const rd_kafka_message_t& message);
  void feed(Partition& partition, ChangeBatch& out);
  void discard(Partition& partition);

  const PipelineConfig& config_;
  std::vector<TableSchemaPtr> schemas_;
  std::vector<std::string> driving_topics_;
  std::vector<std::string> lookup_topics_;
  std::unique_ptr<PartitionStores> stores_;
  std::map<kafka::TopicPartition, Partition> partitions_;
  std::unique_ptr<kafka::KafkaConsumer> lookups_;
  PartitionOffsets lookup_next_;
  kafka::ChangeDecoder decoder_;
  transform::OutputSlicer slicer_;
  transform::OutputSlicer discarding_;  // for output the warehouse already has
  ChangeBatch one_;
  ChangeBatch discarded_;
  uint64_t replayed_since_checkpoint_ = 0;
  bool uncommitted_ = false;
};

}  // namespace sluice
