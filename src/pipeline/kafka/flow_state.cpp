#include "pipeline/kafka/flow_state.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "pipeline/session_loop.hpp"
#include "pipeline/snapshot_meter.hpp"
#include "transport/kafka/capture_position.hpp"
#include "transport/kafka/topic_admin.hpp"

namespace sluice {
namespace {

constexpr auto kReplayReportEvery = std::chrono::seconds(10);

kafka::MessagePlace place_of(const rd_kafka_message_t& m) {
  return {rd_kafka_topic_name(m.rkt), m.partition, m.offset};
}

}  // namespace

KafkaFlowState::KafkaFlowState(const PipelineConfig& config, const kafka::TopicLayout& layout)
    : config_(config) {
  schemas_ =
      kafka::CapturePosition(config.transport, layout.position_topic(), config.name).schemas();
  if (schemas_.empty())
    throw ConnectionError(fmt::format("kafka: no table schemas in {} yet (start capture first)",
                                      layout.position_topic()));
  FlowSet probe(config, schemas_);
  auto topic_of = [&](const std::string& qualified) {
    for (const TableSchemaPtr& s : schemas_)
      if (s->qualified_name() == qualified) return layout.topic_for(*s);
    throw ConfigError(
        fmt::format("{}: flows read {}, which capture does not publish", config.file, qualified));
  };
  for (const TableSchemaPtr& s : schemas_) decoder_.learn_topic(layout.topic_for(*s), s);
  for (const std::string& t : probe.driving_tables()) driving_topics_.push_back(topic_of(t));
  for (const std::string& t : probe.lookup_tables()) lookup_topics_.push_back(topic_of(t));
}

KafkaFlowState::~KafkaFlowState() = default;

void KafkaFlowState::drop() {
  flows_.reset();
  lookups_.reset();
}

void KafkaFlowState::feed(const rd_kafka_message_t& message, ChangeBatch& out) {
  one_.clear();
  Change change;
  std::string_view key(static_cast<const char*>(message.key), message.key_len);
  std::string_view value(static_cast<const char*>(message.payload), message.len);
  if (!decoder_.decode(key, value, place_of(message), change)) return;
  one_.changes.push_back(std::move(change));
  flows_->apply(one_, out);
}

// Reads each partition from its beginning to `ends` (exclusive). Compaction leaves gaps, so
// a partition is done at the first message at or past its end, or at the partition's end.
// However long it takes: a stop request ends it, not a clock.
void KafkaFlowState::replay(kafka::KafkaConsumer& reader,
                            std::map<kafka::TopicPartition, kafka::KafkaOffset> ends) {
  std::erase_if(ends, [](const auto& entry) { return entry.second.value <= 0; });
  std::vector<std::pair<kafka::TopicPartition, kafka::KafkaOffset>> from_start;
  for (const auto& [tp, end] : ends) {
    from_start.emplace_back(tp, kafka::KafkaOffset{});
    decoder_.reads_from_beginning(tp.topic, tp.partition);
  }
  reader.assign(from_start);
  uint64_t read = 0;
  auto next_report = std::chrono::steady_clock::now() + kReplayReportEvery;
  while (!ends.empty()) {
    if (stop_requested()) throw SnapshotStopped("stopped while rebuilding the flow state");
    if (std::chrono::steady_clock::now() >= next_report) {
      spdlog::info("apply: rebuilding the flow state: {} messages read, {} partitions to go", read,
                   ends.size());
      next_report += kReplayReportEvery;
    }
    kafka::MessagePtr m = reader.poll(std::chrono::milliseconds(200));
    if (!m) continue;
    auto it = ends.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (it == ends.end()) continue;
    bool at_end = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < it->second.value) {
      discarded_.clear();
      feed(*m, discarded_);
      ++read;
      at_end = m->offset + 1 >= it->second.value;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      at_end = true;
    }
    if (at_end) ends.erase(it);
  }
}

void KafkaFlowState::rebuild(const std::map<kafka::TopicPartition, kafka::KafkaOffset>& assigned,
                             ChangeBatch& out) {
  flows_ = std::make_unique<FlowSet>(config_, schemas_);
  // Compacted topics keep only the last message of a key: what was read up to the
  // warehouse offset may be older than what the warehouse holds.
  flows_->set_state_may_trail_warehouse(true);
  // Lookups: every partition to its current end; the reader then stays for live changes.
  lookups_ = std::make_unique<kafka::KafkaConsumer>(config_.transport, "", nullptr);
  std::map<kafka::TopicPartition, kafka::KafkaOffset> lookup_ends;
  for (const std::string& topic : lookup_topics_) {
    int partitions = kafka::partition_count(lookups_->raw(), topic);
    for (int32_t p = 0; p < partitions; ++p)
      lookup_ends[{topic, p}] = lookups_->high_watermark({topic, p});
  }
  replay(*lookups_, lookup_ends);
  std::vector<std::pair<kafka::TopicPartition, kafka::KafkaOffset>> live;
  for (const auto& [tp, end] : lookup_ends) live.emplace_back(tp, end);
  lookups_->assign(live);
  // Driving partitions up to what the warehouse holds; the group continues from there.
  kafka::KafkaConsumer driving(config_.transport, "", nullptr);
  replay(driving, assigned);
  size_t before = out.changes.size();
  flows_->emit_all(out);
  spdlog::info(
      "apply: flow state rebuilt for {} partitions ({} lookup partitions); {} rows "
      "upserted again",
      assigned.size(), lookup_ends.size(), out.changes.size() - before);
}

void KafkaFlowState::apply(const Change& change, ChangeBatch& out) {
  one_.clear();
  one_.changes.push_back(change);
  flows_->apply(one_, out);
}

size_t KafkaFlowState::poll_lookups(ChangeBatch& out) {
  if (!lookups_) return 0;
  size_t read = 0;
  while (kafka::MessagePtr m = lookups_->poll(std::chrono::milliseconds(0))) {
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    feed(*m, out);
    ++read;
  }
  return read;
}

}  // namespace sluice
