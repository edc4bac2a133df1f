#include "transport/kafka/topic_admin.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include "core/error.hpp"

namespace sluice::kafka {
namespace {

constexpr int kAdminTimeoutMs = 30000;
constexpr int kCreateTimeoutMs = 5000;

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

// Three copies where the cluster has three brokers (with acks=all and the usual
// min.insync.replicas=2 a broker may fail without losing a message); fewer on smaller
// clusters, which could not place more.
int replication_factor(rd_kafka_t* rk) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, nullptr, &raw, kAdminTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(fmt::format("kafka: cluster metadata: {}", rd_kafka_err2str(err)));
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);
  return std::clamp(metadata->broker_cnt, 1, 3);
}

struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

// Set once a cluster did not answer CreateTopics (librdkafka's mock cluster does not
// implement it): later topics rely on the cluster's automatic creation at once.
std::atomic<bool> create_unanswered{false};

// False when the cluster did not answer in time; throws for a refusal.
bool create_topic(rd_kafka_t* rk, const std::string& topic, int partitions, TopicKind kind) {
  char error[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> spec(rd_kafka_NewTopic_new(
      topic.c_str(), partitions, replication_factor(rk), error, sizeof(error)));
  if (!spec) throw ConfigError(fmt::format("kafka: topic {}: {}", topic, error));
  if (kind == TopicKind::kCompacted)
    rd_kafka_NewTopic_set_config(spec.get(), "cleanup.policy", "compact");
  std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), kCreateTimeoutMs, error, sizeof(error));
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* specs[] = {spec.get()};
  rd_kafka_CreateTopics(rk, specs, 1, options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, EventDeleter> event(
      rd_kafka_queue_poll(queue.get(), kCreateTimeoutMs + 1000));
  if (!event || rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) return false;
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(fmt::format("kafka: creating topic {}: {}", topic,
                                      rd_kafka_event_error_string(event.get())));
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      throw ConnectionError(fmt::format("kafka: creating topic {}: {}", topic,
                                        rd_kafka_topic_result_error_string(results[i])));
  }
  return true;
}

}  // namespace

int partition_count(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, handle, &raw, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(
        fmt::format("kafka: metadata of topic {}: {}", topic, rd_kafka_err2str(err)));
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  return metadata->topics[0].partition_cnt;
}

namespace {

// From the list of all topics: asking for one topic by name would make a cluster with
// automatic topic creation create it, with its defaults instead of ours.
int existing_partition_count(rd_kafka_t* rk, const std::string& topic) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, kAdminTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(fmt::format("kafka: cluster metadata: {}", rd_kafka_err2str(err)));
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i)
    if (metadata->topics[i].topic == topic && metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      return metadata->topics[i].partition_cnt;
  return 0;
}

}  // namespace

int ensure_topic(rd_kafka_t* rk, const std::string& topic, int partitions, TopicKind kind) {
  if (int existing = existing_partition_count(rk, topic); existing > 0) return existing;
  if (!create_unanswered && !create_topic(rk, topic, partitions, kind)) {
    create_unanswered = true;
    spdlog::warn(
        "kafka: the cluster did not answer CreateTopics; relying on its automatic topic "
        "creation (its default partition count and cleanup policy apply)");
  }
  // A new topic's metadata reaches every broker a moment after CreateTopics answers.
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (int n = partition_count(rk, topic); n > 0) return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw ConnectionError(fmt::format("kafka: topic {} did not appear after creation", topic));
}

}  // namespace sluice::kafka
