#include "pipeline/kafka/apply_worker.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "pipeline/endpoints.hpp"
#include "pipeline/kafka/kafka_checkpoint.hpp"
#include "pipeline/session_loop.hpp"
#include "transport/kafka/capture_position.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice {
namespace {

// A partition's changes are held until its source transaction ends, but not beyond this
// multiple of batch.max_rows (or batch.max_bytes): a larger transaction is committed in parts
// (still exactly once, but briefly visible half-applied).
constexpr size_t kForceFactor = 4;

kafka::TopicPartition partition_of(const rd_kafka_message_t& m) {
  return {rd_kafka_topic_name(m.rkt), m.partition};
}

}  // namespace

KafkaApply::KafkaApply(const PipelineConfig& config, bool until_caught_up)
    : config_(config), until_caught_up_(until_caught_up) {}

void KafkaApply::run() {
  if (!config_.flows.empty() && !config_.transport.topic_per_table)
    throw ConfigError(config_.file +
                      ": transport.topic_per_table: flows in `sluice apply` need a topic per "
                      "table (lookup tables are read apart from the driving ones)");
  run_sessions(config_, {.what = "apply", .resumes_from = "the durable position"},
               [this] { return run_session(); });
}

std::vector<kafka::KafkaOffset> KafkaApply::on_assigned(
    const std::vector<kafka::TopicPartition>& partitions) {
  std::map<kafka::TopicPartition, kafka::KafkaOffset> stored =
      kafka_offsets_of(sink_->checkpoint(CheckpointKind::kStreamOffsets));
  std::vector<kafka::KafkaOffset> starts;
  for (const kafka::TopicPartition& tp : partitions) {
    kafka::KafkaOffset offset = stored.contains(tp) ? stored[tp] : kafka::KafkaOffset{};
    stored_[tp] = offset;
    if (!offset.stored()) decoder_.reads_from_beginning(tp.topic, tp.partition);
    starts.push_back(offset);
    spdlog::info("apply: assigned {} [{}] from offset {}", tp.topic, tp.partition,
                 offset.stored() ? std::to_string(offset.value) : "0 (nothing stored)");
  }
  if (flows_) {
    started_batch();
    flows_->assign(stored_, batch_);
  }
  return starts;
}

void KafkaApply::on_revoked(const std::vector<kafka::TopicPartition>& partitions) {
  commit();
  for (const kafka::TopicPartition& tp : partitions) {
    stored_.erase(tp);
    held_.erase(tp);
    at_end_.erase(tp);
  }
  if (flows_) flows_->drop();
  spdlog::info("apply: {} partitions revoked", partitions.size());
}

void KafkaApply::discard() {
  batch_started_ = false;
  sliced_rows_ = 0;
  batch_.clear();
  progress_.clear();
  held_.clear();
  at_end_.clear();
  stored_.clear();
}

bool KafkaApply::run_session() {
  std::unique_ptr<Sink> sink = make_sink(config_);
  sink_ = sink.get();
  kafka::TopicLayout layout(config_);
  try {
    if (!config_.flows.empty())
      flows_ = std::make_unique<KafkaFlowState>(
          config_, layout,
          transform::OutputSlicer{config_.batch.max_rows, config_.batch.max_bytes,
                                  [this](ChangeBatch& part) { write_slice(part); }});
    learn_capture_topics(layout);
    kafka::KafkaConsumer consumer(config_.transport, layout.group(), this);
    consumer_ = &consumer;
    consumer.subscribe(flows_ ? flows_->driving_topics() : layout.apply_topics());
    while (!stop_requested()) {
      kafka::MessagePtr message = consumer.poll(std::chrono::milliseconds(100));
      if (message) consume(*message);
      if (flows_) {
        size_t before = batch_.changes.size();
        if (flows_->poll_lookups(batch_) > 0 && batch_.changes.size() > before) started_batch();
      }
      if (batch_due()) commit();
      if (until_caught_up_ && caught_up()) break;
    }
    commit();
  } catch (...) {
    // Not committed: the next session reads it again from the warehouse offsets.
    discard();
    consumer_ = nullptr;
    flows_.reset();
    throw;
  }
  consumer_ = nullptr;
  flows_.reset();
  spdlog::info("apply {}: {} changes applied this run", stop_requested() ? "stopped" : "caught up",
               applied_);
  return true;
}

// A tombstone read before any change of its topic deletes from the table capture recorded.
void KafkaApply::learn_capture_topics(const kafka::TopicLayout& layout) {
  if (!config_.transport.topics.empty() || !layout.compacts_data()) return;
  kafka::CapturePosition records(config_.transport, layout.position_topic(), config_.name);
  for (const TableSchemaPtr& table : records.schemas())
    decoder_.learn_topic(layout.topic_for(*table), table);
}

void KafkaApply::consume(const rd_kafka_message_t& message) {
  kafka::TopicPartition tp = partition_of(message);
  if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    at_end_.insert(tp);
    return;
  }
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR || !stored_.contains(tp)) return;
  at_end_.erase(tp);
  std::string_view key(static_cast<const char*>(message.key), message.key_len);
  std::string_view value(static_cast<const char*>(message.payload), message.len);
  Held& held = held_[tp];
  Change change;
  if (decoder_.decode(key, value, {tp.topic, tp.partition, message.offset}, change)) {
    held.row_bytes += change.row_bytes();
    held.changes.push_back(std::move(change));
  }
  held.next = kafka::KafkaOffset{message.offset + 1};
  size_t size = 0;
  bool tx_open = kafka::find_header(message, kafka::kTxOpenHeader, size) != nullptr;
  if (!tx_open || held.changes.size() >= config_.batch.max_rows * kForceFactor ||
      held.row_bytes >= config_.batch.max_bytes * kForceFactor)
    release(tp, held);
}

// The partition's held changes end a source transaction (or grew too large to hold):
// they join the batch, and the partition's progress moves past them.
void KafkaApply::release(const kafka::TopicPartition& tp, Held& held) {
  started_batch();
  // With flows, the batch counts the bytes of what the flows write (they count them).
  if (flows_) {
    for (Change& change : held.changes) flows_->apply(tp, std::move(change), batch_);
  } else {
    for (Change& change : held.changes) batch_.changes.push_back(std::move(change));
    batch_.row_bytes += held.row_bytes;
  }
  held.changes.clear();
  held.row_bytes = 0;
  kafka::PartitionProgress& p = progress_[tp];
  p.partition = tp;
  p.expected = stored_[tp];
  p.next = held.next;
}

// Flow output that fills a slice before the batch is due: written into the batch's open
// warehouse transaction, which commit() ends with the offsets (or a fence rolls back).
void KafkaApply::write_slice(ChangeBatch& part) {
  started_batch();
  sliced_rows_ += part.changes.size();
  sink_->apply(part, std::nullopt).value_or_raise();
  part.clear();
  crash_point("after_slice");
}

bool KafkaApply::batch_empty() const {
  return progress_.empty() && batch_.changes.empty() && batch_.dead_letters.empty() &&
         sliced_rows_ == 0;
}

void KafkaApply::started_batch() {
  if (batch_started_) return;
  batch_started_ = true;
  batch_start_ = std::chrono::steady_clock::now();
}

bool KafkaApply::batch_due() const {
  if (!batch_started_) return false;
  auto age = std::chrono::steady_clock::now() - batch_start_;
  size_t rows = batch_.changes.size() + sliced_rows_;
  return rows >= config_.batch.max_rows || batch_.row_bytes >= config_.batch.max_bytes ||
         age >= config_.batch.max_delay;
}

// The warehouse commits first, then the flow state, then the group offsets (a hint only:
// the warehouse's offsets are the truth).
void KafkaApply::commit() {
  batch_started_ = false;
  if (batch_empty()) {
    if (flows_) flows_->commit(stored_);  // lookup changes that wrote nothing
    return;
  }
  std::vector<kafka::PartitionProgress> progress;
  for (const auto& [tp, p] : progress_) progress.push_back(p);
  // Fenced: the group moved a partition while this batch was built. The session starts
  // over from what the warehouse holds, with the partitions the group gives it now.
  sink_->apply(batch_, checkpoint_of(progress)).value_or_raise();
  for (const kafka::PartitionProgress& p : progress) stored_[p.partition] = p.next;
  crash_point("after_warehouse_commit");
  if (flows_) flows_->commit(stored_);
  crash_point("after_state_commit");
  if (consumer_ != nullptr) consumer_->commit_hint(progress);
  applied_ += batch_.changes.size() + sliced_rows_;
  sliced_rows_ = 0;
  batch_.clear();
  progress_.clear();
}

bool KafkaApply::caught_up() const {
  if (stored_.empty() || !batch_empty()) return false;
  for (const auto& [tp, offset] : stored_)
    if (!at_end_.contains(tp)) return false;
  return true;
}

}  // namespace sluice
