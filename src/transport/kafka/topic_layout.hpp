#pragma once
// Where changes go: the topic of a table and the partition of a key. sluice picks the
// partition itself (rather than librdkafka's partitioner) so capture knows, while
// producing, which messages share a partition and can mark transaction boundaries there.

#include <cstdint>
#include <string>
#include <string_view>

#include "config/pipeline_config.hpp"
#include "core/schema.hpp"

namespace sluice::kafka {

class TopicLayout {
 public:
  explicit TopicLayout(const PipelineConfig& config);

  // <prefix>.<schema>.<table>, or <prefix> when every table shares one topic.
  std::string topic_for(const TableSchema& table) const;
  // The compacted topic holding capture's resume position.
  std::string position_topic() const { return prefix_ + ".offsets"; }
  // A table's own topic is compacted, and capture writes a tombstone after each delete, so
  // a new apply process rebuilds its flow state from the topics however old they are. A
  // topic shared by every table is not: its keys do not say which table they belong to,
  // so compaction would drop one table's row for another's.
  bool compacts_data() const { return per_table_; }
  // What apply subscribes to: transport.topics, or sluice's own data topics.
  std::vector<std::string> apply_topics() const;

  // The consumer group of the apply processes.
  std::string group() const { return "sluice-apply-" + name_; }

 private:
  std::string name_;
  std::string prefix_;
  bool per_table_;
  std::vector<std::string> explicit_topics_;
};

// A stable hash of the message key (FNV-1a), the same in every process and version.
int32_t partition_for(std::string_view key, int partitions);

// The header sluice puts on a message that is not the last of its source transaction in
// its partition: apply avoids committing the warehouse between it and that last message.
inline constexpr const char* kTxOpenHeader = "sluice.tx_open";

}  // namespace sluice::kafka
