#pragma once
// Reading topics: as a member of a consumer group (partitions shared among apply
// processes, taken over when one dies) or standalone with an explicit assignment (every
// partition of a topic, e.g. dimension tables or capture's position). Where reading
// starts is always the caller's decision: group-committed offsets are never used.

#include <chrono>
#include <exception>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "transport/kafka/kafka_config.hpp"
#include "transport/kafka/kafka_offset.hpp"

namespace sluice::kafka {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

// The value of header `name`, or nullptr when absent.
const char* find_header(const rd_kafka_message_t& message, const char* name, size_t& size);

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // The group gave this process `partitions`: returns where to start each (none stored:
  // the beginning).
  virtual std::vector<KafkaOffset> on_assigned(const std::vector<TopicPartition>& partitions) = 0;
  // The group takes `partitions` away: finish work on them before returning.
  virtual void on_revoked(const std::vector<TopicPartition>& partitions) = 0;
};

class KafkaConsumer {
 public:
  // A group member when `listener` is set, else standalone (assign()).
  KafkaConsumer(const TransportConfig& transport, const std::string& group,
                RebalanceListener* listener);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  // Topic names, or regular expressions starting with ^.
  void subscribe(const std::vector<std::string>& topics);
  void assign(const std::vector<std::pair<TopicPartition, KafkaOffset>>& partitions);

  // The next message, or nullptr when none arrived in time. Partition EOF and transient
  // errors are returned as messages with err set; fatal errors throw ConnectionError.
  MessagePtr poll(std::chrono::milliseconds timeout);

  // The offset the next message produced to `partition` will get.
  KafkaOffset high_watermark(const TopicPartition& partition,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Group-committed offsets, for lag monitoring only (apply resumes from the warehouse).
  void commit_hint(const std::vector<PartitionProgress>& progress);

  const std::set<TopicPartition>& assignment() const { return assignment_; }
  rd_kafka_t* raw() { return handle_.get(); }

 private:
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

  HandlePtr handle_;
  RebalanceListener* listener_;
  // What a listener threw inside librdkafka's callback; poll() rethrows it.
  std::exception_ptr listener_failure_;
  std::set<TopicPartition> assignment_;
};

}  // namespace sluice::kafka
