#include "pipeline/kafka/flow_state.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "pipeline/session_loop.hpp"
#include "pipeline/snapshot_meter.hpp"
#include "transport/kafka/capture_position.hpp"
#include "transport/kafka/topic_admin.hpp"

namespace sluice {
namespace {

constexpr auto kReplayReportEvery = std::chrono::seconds(10);
// Replayed messages between two commits of the state they built.
constexpr uint64_t kReplayCheckpointEvery = 20000;

kafka::TopicPartition partition_of(const rd_kafka_message_t& m) {
  return {rd_kafka_topic_name(m.rkt), m.partition};
}

// Compaction leaves gaps: a replay that stopped short of `end` has still read everything
// below it.
void reach(kafka::KafkaOffset& read, kafka::KafkaOffset end) {
  if (end.value > read.value) read = end;
}

}  // namespace

KafkaFlowState::KafkaFlowState(const PipelineConfig& config, const kafka::TopicLayout& layout,
                               transform::OutputSlicer slicer)
    : config_(config),
      slicer_(std::move(slicer)),
      discarding_{slicer_.max_rows, slicer_.max_bytes, [](ChangeBatch& out) { out.clear(); }} {
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
  stores_ = std::make_unique<PartitionStores>(config, probe.fingerprint());
}

KafkaFlowState::~KafkaFlowState() = default;

void KafkaFlowState::drop() {
  partitions_.clear();
  lookups_.reset();
  lookup_next_.clear();
}

bool KafkaFlowState::decode(const rd_kafka_message_t& message) {
  one_.clear();
  Change change;
  std::string_view key(static_cast<const char*>(message.key), message.key_len);
  std::string_view value(static_cast<const char*>(message.payload), message.len);
  if (!decoder_.decode(key, value,
                       {rd_kafka_topic_name(message.rkt), message.partition, message.offset},
                       change))
    return false;
  one_.changes.push_back(std::move(change));
  return true;
}

void KafkaFlowState::feed(Partition& partition, ChangeBatch& out) {
  partition.flows->apply(one_, out, slicer_);
  uncommitted_ = true;
}

void KafkaFlowState::discard(Partition& partition) {
  discarded_.clear();
  partition.flows->apply(one_, discarded_, discarding_);
  uncommitted_ = true;
}

// Reads each partition from its start to its end (exclusive). Compaction leaves gaps, so
// a partition is done at the first message at or past its end, or at the partition's end.
// However long it takes: a stop request ends it, not a clock.
void KafkaFlowState::replay(kafka::KafkaConsumer& reader, const PartitionOffsets& starts,
                            PartitionOffsets ends, const Feed& feed) {
  auto start_of = [&](const kafka::TopicPartition& tp) {
    auto it = starts.find(tp);
    return it == starts.end() ? kafka::KafkaOffset{} : it->second;
  };
  std::erase_if(ends, [&](const auto& entry) {
    return entry.second.value <= std::max<int64_t>(start_of(entry.first).value, 0);
  });
  std::vector<std::pair<kafka::TopicPartition, kafka::KafkaOffset>> assignment;
  for (const auto& [tp, end] : ends) {
    kafka::KafkaOffset from = start_of(tp);
    if (!from.stored()) decoder_.reads_from_beginning(tp.topic, tp.partition);
    assignment.emplace_back(tp, from);
  }
  reader.assign(assignment);
  uint64_t read = 0;
  auto next_report = std::chrono::steady_clock::now() + kReplayReportEvery;
  while (!ends.empty()) {
    if (stop_requested()) throw SnapshotStopped("stopped while rebuilding the flow state");
    if (std::chrono::steady_clock::now() >= next_report) {
      spdlog::info("apply: replaying into the flow state: {} messages read, {} partitions to go",
                   read, ends.size());
      next_report += kReplayReportEvery;
    }
    kafka::MessagePtr m = reader.poll(std::chrono::milliseconds(200));
    if (!m) continue;
    auto it = ends.find(partition_of(*m));
    if (it == ends.end()) continue;
    bool at_end = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < it->second.value) {
      feed(*m);
      ++read;
      at_end = m->offset + 1 >= it->second.value;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      at_end = true;
    }
    if (at_end) ends.erase(it);
  }
}

void KafkaFlowState::assign(const PartitionOffsets& warehouse, ChangeBatch& out) {
  drop();
  state::StateBatch forgotten;
  std::map<kafka::TopicPartition, PartitionStamp> fresh;
  size_t resumed = 0;
  for (const auto& [tp, offset] : warehouse) {
    Partition& partition = partitions_[tp];
    std::optional<PartitionStamp> stamp = stores_->stamp(tp);
    if (stamp && stamp->driving.value > offset.value)
      spdlog::info(
          "apply: the flow state of {} [{}] read up to offset {}, past the warehouse's {}; "
          "rebuilding it",
          tp.topic, tp.partition, stamp->driving.value, offset.value);
    if (stamp && stamp->driving.value <= offset.value) {
      partition.stamp = *stamp;
      resumed += stamp->complete ? 1 : 0;
    } else {
      PartitionStores::forget(tp, forgotten);
      fresh[tp] = partition.stamp;
    }
    partition.flows = std::make_unique<FlowSet>(config_, schemas_, &stores_->store(),
                                                PartitionStores::key_prefix(tp));
    partition.flows->set_state_may_trail_warehouse(true);
  }
  if (!fresh.empty()) stores_->commit(forgotten, fresh);
  replay_driving(warehouse);
  replay_lookups(out);
  rewrite_rebuilt(out);
  spdlog::info("apply: flow state ready for {} partitions ({} resumed from {}, {} rebuilt)",
               partitions_.size(), resumed, stores_->dir(), partitions_.size() - resumed);
}

// Driving messages up to what the warehouse holds: its rows already reflect them.
void KafkaFlowState::replay_driving(const PartitionOffsets& warehouse) {
  PartitionOffsets starts;
  for (const auto& [tp, partition] : partitions_) starts[tp] = partition.stamp.driving;
  kafka::KafkaConsumer reader(config_.transport, "", nullptr);
  replay(reader, starts, warehouse, [&](const rd_kafka_message_t& m) {
    Partition& partition = partitions_.at(partition_of(m));
    if (decode(m)) discard(partition);
    partition.stamp.driving = kafka::KafkaOffset{m.offset + 1};
    if (++replayed_since_checkpoint_ >= kReplayCheckpointEvery) checkpoint_replay(false);
  });
  for (auto& [tp, partition] : partitions_) reach(partition.stamp.driving, warehouse.at(tp));
}

// Lookups: every partition from the oldest stamp to its current end; the reader then stays
// for live changes. A resumed partition writes what the lookup changes since its stamp do
// to its rows; a rebuilt one writes all its rows afterwards (rewrite_rebuilt).
void KafkaFlowState::replay_lookups(ChangeBatch& out) {
  lookups_ = std::make_unique<kafka::KafkaConsumer>(config_.transport, "", nullptr);
  PartitionOffsets ends;
  PartitionOffsets starts;
  for (const std::string& topic : lookup_topics_) {
    int count = kafka::partition_count(lookups_->raw(), topic);
    for (int32_t p = 0; p < count; ++p) {
      kafka::TopicPartition lp{topic, p};
      ends[lp] = lookups_->high_watermark(lp);
      kafka::KafkaOffset& start = starts[lp] = ends[lp];
      for (auto& [tp, partition] : partitions_)
        start = std::min(start, partition.stamp.lookups[lp]);
    }
  }
  replay(*lookups_, starts, ends, [&](const rd_kafka_message_t& m) {
    kafka::TopicPartition lp = partition_of(m);
    bool decoded = decode(m);
    for (auto& [tp, partition] : partitions_) {
      kafka::KafkaOffset& read = partition.stamp.lookups[lp];
      if (m.offset < read.value) continue;
      if (decoded && partition.stamp.complete) feed(partition, out);
      if (decoded && !partition.stamp.complete) discard(partition);
      read = kafka::KafkaOffset{m.offset + 1};
    }
    if (++replayed_since_checkpoint_ >= kReplayCheckpointEvery) checkpoint_replay(true);
  });
  for (auto& [tp, partition] : partitions_)
    for (const auto& [lp, end] : ends) reach(partition.stamp.lookups[lp], end);
  lookup_next_ = ends;
  std::vector<std::pair<kafka::TopicPartition, kafka::KafkaOffset>> live(ends.begin(), ends.end());
  lookups_->assign(live);
}

// A rebuilt partition's state is complete: every destination row it yields is upserted
// again (committed with the next batch, after which its stamp says complete).
void KafkaFlowState::rewrite_rebuilt(ChangeBatch& out) {
  bool any =
      std::ranges::any_of(partitions_, [](const auto& p) { return !p.second.stamp.complete; });
  if (!any) return;
  checkpoint_replay(true);  // the rows emit_all reads are those in the store
  size_t rebuilt = 0;
  for (auto& [tp, partition] : partitions_) {
    if (partition.stamp.complete) continue;
    partition.flows->emit_all(out, slicer_);
    ++rebuilt;
  }
  spdlog::info("apply: every destination row of {} rebuilt partitions upserted again", rebuilt);
}

// A resumed partition's lookup output is not in the warehouse until the next batch commits,
// so during the lookup replay only rebuilt partitions (whose output is discarded) commit.
void KafkaFlowState::checkpoint_replay(bool incomplete_only) {
  replayed_since_checkpoint_ = 0;
  state::StateBatch batch;
  std::map<kafka::TopicPartition, PartitionStamp> stamps;
  for (auto& [tp, partition] : partitions_) {
    if (incomplete_only && partition.stamp.complete) continue;
    partition.flows->stage(batch);
    stamps[tp] = partition.stamp;
  }
  if (stamps.empty()) return;
  stores_->commit(batch, stamps);
  crash_point("after_replay_state_commit");
}

void KafkaFlowState::apply(const kafka::TopicPartition& tp, Change&& change, ChangeBatch& out) {
  one_.clear();
  one_.changes.push_back(std::move(change));
  feed(partitions_.at(tp), out);
}

size_t KafkaFlowState::poll_lookups(ChangeBatch& out) {
  if (!lookups_) return 0;
  size_t read = 0;
  while (kafka::MessagePtr m = lookups_->poll(std::chrono::milliseconds(0))) {
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    lookup_next_[partition_of(*m)] = kafka::KafkaOffset{m->offset + 1};
    if (decode(*m))
      for (auto& [tp, partition] : partitions_) feed(partition, out);
    ++read;
  }
  return read;
}

void KafkaFlowState::commit(const PartitionOffsets& warehouse) {
  if (!uncommitted_ &&
      std::ranges::all_of(partitions_, [](const auto& p) { return p.second.stamp.complete; }))
    return;
  state::StateBatch batch;
  std::map<kafka::TopicPartition, PartitionStamp> stamps;
  for (auto& [tp, partition] : partitions_) {
    partition.flows->stage(batch);
    if (auto it = warehouse.find(tp); it != warehouse.end()) partition.stamp.driving = it->second;
    partition.stamp.lookups = lookup_next_;
    partition.stamp.complete = true;
    stamps[tp] = partition.stamp;
  }
  stores_->commit(batch, stamps);
  uncommitted_ = false;
}

}  // namespace sluice
