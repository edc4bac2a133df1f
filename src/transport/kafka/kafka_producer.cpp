#include "transport/kafka/kafka_producer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "core/error.hpp"

namespace sluice::kafka {

KafkaProducer::KafkaProducer(const TransportConfig& transport, const std::string& client_id) {
  ConfPtr conf = make_conf(transport, {{"client.id", client_id},
                                       {"enable.idempotence", "true"},
                                       {"acks", "all"},
                                       {"linger.ms", "20"},
                                       {"batch.size", "1000000"},
                                       {"compression.type", "lz4"},
                                       {"queue.buffering.max.messages", "1000000"},
                                       {"message.timeout.ms", "300000"}});
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaProducer::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaProducer::on_error);
  handle_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf));
}

KafkaProducer::~KafkaProducer() {
  // Bounded: messages still queued at shutdown are produced again by the next run.
  rd_kafka_flush(handle_.get(), 5000);
}

void KafkaProducer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  static_cast<KafkaProducer*>(opaque)->record_failure(
      fmt::format("delivery to {} [{}] failed: {}", rd_kafka_topic_name(message->rkt),
                  message->partition, rd_kafka_err2str(message->err)));
}

void KafkaProducer::on_error(rd_kafka_t* rk, int code, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
    self->record_failure(fmt::format("fatal producer error: {}", fatal));
    return;
  }
  // Broker down, connection refused...: librdkafka retries by itself.
  spdlog::warn("kafka: {}", reason);
}

void KafkaProducer::record_failure(std::string what) {
  std::lock_guard lock(mutex_);
  if (failure_.empty()) failure_ = std::move(what);
  failed_ = true;
}

void KafkaProducer::produce(const std::string& topic, int32_t partition, std::string_view key,
                            std::string_view value, const std::vector<Header>& headers) {
  while (true) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const Header& h : headers)
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                            h.value.data(), static_cast<ssize_t>(h.value.size()));
    }
    rd_kafka_resp_err_t err =
        rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                          RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);  // not taken on failure
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw ConnectionError(
          fmt::format("kafka: cannot produce to {}: {}", topic, rd_kafka_err2str(err)));
    rd_kafka_poll(handle_.get(), 100);
  }
}

void KafkaProducer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count()));
  std::lock_guard lock(mutex_);
  if (failed_) {
    std::string what = std::exchange(failure_, {});
    failed_ = false;
    throw ConnectionError("kafka: " + what);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw ConnectionError(fmt::format("kafka: {} messages not delivered within {} s",
                                      rd_kafka_outq_len(handle_.get()), timeout.count() / 1000));
}

}  // namespace sluice::kafka
