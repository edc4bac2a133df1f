#include "pipeline/kafka/capture_worker.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/batch_reader.hpp"
#include "pipeline/endpoints.hpp"
#include "pipeline/kafka/publisher.hpp"
#include "pipeline/session_loop.hpp"
#include "pipeline/snapshot_meter.hpp"
#include "transport/kafka/capture_position.hpp"
#include "transport/kafka/topic_admin.hpp"

namespace sluice {

KafkaCapture::KafkaCapture(const PipelineConfig& config, bool until_caught_up)
    : config_(config), until_caught_up_(until_caught_up) {}

void KafkaCapture::run() {
  run_sessions(config_, {.what = "capture", .resumes_from = "the durable position"},
               [this] { return run_session(); });
}

bool KafkaCapture::run_session() {
  kafka::KafkaProducer producer(config_.transport, "sluice-capture-" + config_.name);
  kafka::TopicLayout layout(config_);
  kafka::ensure_topic(producer.raw(), layout.position_topic(), 1, kafka::TopicKind::kCompacted);
  kafka::CapturePosition stored(config_.transport, layout.position_topic(), config_.name);
  std::optional<Position> resume = stored.read();
  std::unique_ptr<Source> source = make_source(config_, until_caught_up_);
  KafkaPublisher publisher(config_, producer);
  SnapshotMeter meter(publisher, stop_requested);
  Position start = source->start(resume, meter);
  if (!resume) {
    producer.flush();
    stored.write(producer, start);
    producer.flush();
    spdlog::info("capture snapshot complete: {} messages; streaming from {}", publisher.messages(),
                 to_string(start));
  } else {
    spdlog::info("capture resuming at {}", to_string(start));
  }
  BatchReader reader(*source, config_.batch);
  while (!stop_requested()) {
    ReadBatch read = reader.next();
    publisher.publish(read.batch);
    if (read.batch.commit_position) {
      producer.flush();
      stored.write(producer, *read.batch.commit_position);
      producer.flush();
      reader.acknowledge(*read.batch.commit_position);
    }
    if (read.status == ReadStatus::kCaughtUp && until_caught_up_) {
      reader.finish();
      producer.flush();
      spdlog::info("capture caught up: {} messages this run", publisher.messages());
      return true;
    }
  }
  reader.finish();
  producer.flush();
  spdlog::info("capture stopped: {} messages this run", publisher.messages());
  return true;
}

}  // namespace sluice
