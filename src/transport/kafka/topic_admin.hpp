#pragma once
// Topics sluice owns, created with the configured partition count (data) or one partition
// (capture's position), compacted or not, and their partition counts.

#include <chrono>
#include <string>

#include "transport/kafka/kafka_config.hpp"

namespace sluice::kafka {

// kCompacted: the cluster keeps at least the last message of every key (cleanup.policy
// compact), so the topic holds every current row however old it is.
enum class TopicKind { kData, kCompacted };

// Creates `topic` unless it exists, then returns its partition count. Throws
// ConnectionError when the cluster does not answer.
int ensure_topic(rd_kafka_t* rk, const std::string& topic, int partitions, TopicKind kind);

// The partition count of an existing topic, or 0 when it does not exist.
int partition_count(rd_kafka_t* rk, const std::string& topic,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace sluice::kafka
