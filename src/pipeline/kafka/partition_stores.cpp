#include "pipeline/kafka/partition_stores.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <sstream>

#include "core/error.hpp"

namespace sluice {
namespace {

// Apply processes of one pipeline on one machine each take a slot; a restarted one takes
// any free slot, whichever process filled it: every stamp is checked against the warehouse.
constexpr int kSlots = 64;
// The store's own stamp: its partitions carry their positions.
constexpr std::string_view kStorePosition = "kafka partitions";

std::string stamp_key(const kafka::TopicPartition& tp) {
  return fmt::format("S/{}/{}", tp.topic, tp.partition);
}

// "<driving> <complete>\n" then "<topic> <partition> <offset>\n" per lookup partition.
std::string encode(const PartitionStamp& stamp) {
  std::string text = fmt::format("{} {}\n", stamp.driving.value, stamp.complete ? 1 : 0);
  for (const auto& [tp, offset] : stamp.lookups)
    text += fmt::format("{} {} {}\n", tp.topic, tp.partition, offset.value);
  return text;
}

std::optional<PartitionStamp> decode(const std::string& text) {
  std::istringstream in(text);
  PartitionStamp stamp;
  int complete = 0;
  if (!(in >> stamp.driving.value >> complete)) return std::nullopt;
  stamp.complete = complete == 1;
  kafka::TopicPartition tp;
  kafka::KafkaOffset offset;
  while (in >> tp.topic >> tp.partition >> offset.value) stamp.lookups[tp] = offset;
  if (!in.eof()) return std::nullopt;
  return stamp;
}

}  // namespace

PartitionStores::PartitionStores(const PipelineConfig& config, std::string definition)
    : config_(config), definition_(std::move(definition)) {
  std::string base = state_directory(config);
  for (int slot = 0; slot < kSlots && !store_; ++slot) {
    std::string dir = fmt::format("{}/apply-{}", base, slot);
    Result<std::unique_ptr<state::StateStore>> opened = open_slot(dir);
    if (opened) {
      store_ = std::move(opened).value();
      dir_ = dir;
    } else if (opened.error().code() != Errc::kRefused) {
      opened.error().raise();
    }
  }
  if (!store_)
    throw FatalError(fmt::format(
        "apply: all {} flow state slots in {} are held by other processes; give this one "
        "another state.dir",
        kSlots, base));
  const std::optional<state::StoreStamp>& stamp = store_->stamp();
  if (stamp && (stamp->pipeline != config.name || stamp->definition != definition_)) {
    spdlog::info("apply: the flow state in {} is of {}; rebuilding it", dir_,
                 stamp->pipeline != config.name ? "pipeline " + stamp->pipeline
                                                : std::string("other flow definitions"));
    store_.reset();
    state::StateStore::destroy(dir_).value_or_raise();
    store_ = open_slot(dir_).value_or_raise();
  }
}

Result<std::unique_ptr<state::StateStore>> PartitionStores::open_slot(const std::string& dir) {
  state::StoreOptions options{.dir = dir, .cache_bytes = config_.state.cache_mb << 20};
  Result<std::unique_ptr<state::StateStore>> opened = state::StateStore::open(options);
  if (opened || opened.error().code() != Errc::kBadInput) return opened;
  spdlog::warn("{}; removing it, the flows are rebuilt from the topics", opened.error().message());
  state::StateStore::destroy(dir).value_or_raise();
  return state::StateStore::open(options);
}

std::string PartitionStores::key_prefix(const kafka::TopicPartition& tp) {
  return fmt::format("P/{}/{}/", tp.topic, tp.partition);
}

std::optional<PartitionStamp> PartitionStores::stamp(const kafka::TopicPartition& tp) const {
  std::string text;
  if (!store_->stamp() || !store_->get(stamp_key(tp), text).value_or_raise()) return std::nullopt;
  std::optional<PartitionStamp> stamp = decode(text);
  if (!stamp)
    spdlog::warn("apply: the flow state stamp of {} [{}] in {} is unreadable; rebuilding it",
                 tp.topic, tp.partition, dir_);
  return stamp;
}

void PartitionStores::forget(const kafka::TopicPartition& tp, state::StateBatch& batch) {
  batch.erase_prefix(key_prefix(tp));
  batch.erase(stamp_key(tp));
}

void PartitionStores::commit(state::StateBatch& batch,
                             const std::map<kafka::TopicPartition, PartitionStamp>& stamps) {
  for (const auto& [tp, stamp] : stamps) batch.put(stamp_key(tp), encode(stamp));
  store_->commit(batch, {config_.name, definition_, std::string(kStorePosition)}).value_or_raise();
}

}  // namespace sluice
