#include "pipeline/kafka/kafka_checkpoint.hpp"

namespace sluice {

Checkpoint checkpoint_of(const std::vector<kafka::PartitionProgress>& progress) {
  Checkpoint checkpoint;
  checkpoint.offsets.reserve(progress.size());
  for (const kafka::PartitionProgress& p : progress) {
    std::optional<int64_t> expected;
    if (p.expected.stored()) expected = p.expected.value;
    checkpoint.offsets.push_back({.part = {p.partition.topic, p.partition.partition},
                                  .expected = expected,
                                  .next = p.next.value});
  }
  return checkpoint;
}

std::map<kafka::TopicPartition, kafka::KafkaOffset> kafka_offsets_of(const Checkpoint& checkpoint) {
  std::map<kafka::TopicPartition, kafka::KafkaOffset> offsets;
  for (const StreamOffset& offset : checkpoint.offsets)
    offsets[{offset.part.stream, offset.part.part}] = kafka::KafkaOffset{offset.next};
  return offsets;
}

}  // namespace sluice
