#pragma once
// An idempotent producer (acks=all, no duplicates or reordering on retries). Callers
// produce a batch, then flush(): it returns only when every message was acknowledged by
// the brokers, and throws when any was not, so the source is acknowledged only for
// messages that are durable in Kafka.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "transport/kafka/kafka_config.hpp"

namespace sluice::kafka {

struct Header {
  std::string_view name;
  std::string_view value;
};

class KafkaProducer {
 public:
  KafkaProducer(const TransportConfig& transport, const std::string& client_id);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Queues one message; waits while librdkafka's queue is full. Thread-safe.
  void produce(const std::string& topic, int32_t partition, std::string_view key,
               std::string_view value, const std::vector<Header>& headers = {});
  // Waits for the delivery report of every queued message; throws ConnectionError for
  // the first that failed or when `timeout` passes.
  void flush(std::chrono::milliseconds timeout = std::chrono::minutes(5));

  rd_kafka_t* raw() { return handle_.get(); }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);
  static void on_error(rd_kafka_t*, int code, const char* reason, void* opaque);
  void record_failure(std::string what);

  HandlePtr handle_;
  std::mutex mutex_;
  std::string failure_;  // the first failed delivery since the last flush
  std::atomic<bool> failed_{false};
};

}  // namespace sluice::kafka
