#include "transport/kafka/kafka_consumer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"

namespace sluice::kafka {
namespace {

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i)
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  return out;
}

void check(rd_kafka_resp_err_t err, std::string_view what) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(fmt::format("kafka: {}: {}", what, rd_kafka_err2str(err)));
}

}  // namespace

const char* find_header(const rd_kafka_message_t& message, const char* name, size_t& size) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return nullptr;
  const void* value = nullptr;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return nullptr;
  return static_cast<const char*>(value);
}

KafkaConsumer::KafkaConsumer(const TransportConfig& transport, const std::string& group,
                             RebalanceListener* listener)
    : listener_(listener) {
  std::vector<std::pair<std::string, std::string>> defaults = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "50"},
      // New topics matching a subscription pattern are noticed within this time.
      {"topic.metadata.refresh.interval.ms", "5000"},
      {"client.id", "sluice-" + (group.empty() ? std::string("reader") : group)}};
  // librdkafka assigns partitions only to a consumer with a group id; a standalone
  // reader never joins that group (no subscribe) and never commits.
  defaults.emplace_back("group.id", group.empty() ? "sluice-standalone-reader" : group);
  ConfPtr conf = make_conf(transport, defaults);
  rd_kafka_conf_set_opaque(conf.get(), this);
  if (listener_ != nullptr)
    rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaConsumer::on_rebalance);
  handle_ = make_handle(RD_KAFKA_CONSUMER, std::move(conf));
  rd_kafka_poll_set_consumer(handle_.get());
}

KafkaConsumer::~KafkaConsumer() {
  // Leaving the group hands this process's partitions to the others at once, instead of
  // after the session timeout. The revoke callback still runs and finishes the work.
  if (listener_ != nullptr) rd_kafka_consumer_close(handle_.get());
}

void KafkaConsumer::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<KafkaConsumer*>(opaque)->rebalance(err, partitions);
}

void KafkaConsumer::rebalance(rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* partitions) {
  std::vector<TopicPartition> list = to_vector(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    std::vector<KafkaOffset> starts;
    try {
      starts = listener_->on_assigned(list);
    } catch (...) {
      // Exceptions must not cross librdkafka's C frames; take nothing and fail in poll().
      listener_failure_ = std::current_exception();
      rd_kafka_assign(handle_.get(), nullptr);
      return;
    }
    for (int i = 0; i < partitions->cnt; ++i)
      partitions->elems[i].offset =
          starts[i].stored() ? starts[i].value : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(handle_.get(), partitions);
    assignment_.insert(list.begin(), list.end());
    return;
  }
  try {
    listener_->on_revoked(list);
  } catch (...) {
    listener_failure_ = std::current_exception();
  }
  rd_kafka_assign(handle_.get(), nullptr);
  assignment_.clear();
}

void KafkaConsumer::subscribe(const std::vector<std::string>& topics) {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& t : topics)
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  check(rd_kafka_subscribe(handle_.get(), list.get()), "subscribe");
}

void KafkaConsumer::assign(const std::vector<std::pair<TopicPartition, KafkaOffset>>& partitions) {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& [tp, offset] : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        offset.stored() ? offset.value : RD_KAFKA_OFFSET_BEGINNING;
    assignment_.insert(tp);
  }
  check(rd_kafka_assign(handle_.get(), list.get()), "assign");
}

MessagePtr KafkaConsumer::poll(std::chrono::milliseconds timeout) {
  MessagePtr message(rd_kafka_consumer_poll(handle_.get(), static_cast<int>(timeout.count())));
  if (listener_failure_) std::rethrow_exception(std::exchange(listener_failure_, nullptr));
  if (!message || message->err == RD_KAFKA_RESP_ERR_NO_ERROR ||
      message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
    return message;
  char fatal[512];
  if (rd_kafka_fatal_error(handle_.get(), fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(fmt::format("kafka: fatal consumer error: {}", fatal));
  spdlog::warn("kafka: {}", rd_kafka_message_errstr(message.get()));
  return message;
}

KafkaOffset KafkaConsumer::high_watermark(const TopicPartition& partition,
                                          std::chrono::milliseconds timeout) {
  int64_t low = 0;
  int64_t high = 0;
  check(
      rd_kafka_query_watermark_offsets(handle_.get(), partition.topic.c_str(), partition.partition,
                                       &low, &high, static_cast<int>(timeout.count())),
      fmt::format("watermarks of {} [{}]", partition.topic, partition.partition));
  return KafkaOffset{high};
}

void KafkaConsumer::commit_hint(const std::vector<PartitionProgress>& progress) {
  if (progress.empty()) return;
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(progress.size())));
  for (const PartitionProgress& p : progress)
    rd_kafka_topic_partition_list_add(list.get(), p.partition.topic.c_str(), p.partition.partition)
        ->offset = p.next.value;
  // Asynchronous and best effort: nothing depends on it.
  rd_kafka_commit(handle_.get(), list.get(), 1);
}

}  // namespace sluice::kafka
