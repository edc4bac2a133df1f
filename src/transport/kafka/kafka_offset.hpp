#pragma once
// Kafka offsets as `sluice apply` stores them in the warehouse: a distinct type, so an
// offset is never confused with a partition number or a count.

#include <compare>
#include <cstdint>
#include <string>

namespace sluice::kafka {

struct KafkaOffset {
  int64_t value = -1;  // -1: none stored
  auto operator<=>(const KafkaOffset&) const = default;
  bool stored() const { return value >= 0; }
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// What one warehouse transaction consumed of one partition: it read from `expected`
// (the offset stored before it, or none) up to `next`, the offset to resume at.
struct PartitionProgress {
  TopicPartition partition;
  KafkaOffset expected;
  KafkaOffset next;
};

}  // namespace sluice::kafka
