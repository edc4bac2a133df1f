#pragma once
// `sluice apply`'s side of the sink checkpoint: each Kafka topic partition is a stream
// part, and its offsets are the part's offsets.

#include <map>
#include <vector>

#include "sink/checkpoint.hpp"
#include "transport/kafka/kafka_offset.hpp"

namespace sluice {

// What a warehouse commit records of the partitions its batch read.
Checkpoint checkpoint_of(const std::vector<kafka::PartitionProgress>& progress);

// The stored offset of every partition in a checkpoint read back from the sink.
std::map<kafka::TopicPartition, kafka::KafkaOffset> kafka_offsets_of(const Checkpoint& checkpoint);

}  // namespace sluice
