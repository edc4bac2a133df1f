#include "pipeline/flow_state_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "pipeline/flow_set.hpp"

namespace sluice {

FlowStateStore::FlowStateStore(const PipelineConfig& config)
    : config_(config), dir_(state_directory(config)) {
  open();
}

void FlowStateStore::open() {
  state::StoreOptions options{.dir = dir_, .cache_bytes = config_.state.cache_mb << 20};
  Result<std::unique_ptr<state::StateStore>> opened = state::StateStore::open(options);
  if (!opened && opened.error().code() == Errc::kBadInput) {
    spdlog::warn("{}; removing it, the flows are rebuilt from a fresh snapshot",
                 opened.error().message());
    state::StateStore::destroy(dir_).value_or_raise();
    opened = state::StateStore::open(options);
  }
  if (!opened)
    throw FatalError(fmt::format("{} (is another sluice process running pipeline {}?)",
                                 opened.error().message(), config_.name));
  store_ = std::move(opened).value();
}

std::variant<Position, std::string> FlowStateStore::resume_point(
    const std::optional<Position>& checkpoint) const {
  const std::optional<state::StoreStamp>& stamp = store_->stamp();
  if (!stamp) return fmt::format("there is no flow state in {}", dir_);
  if (stamp->pipeline != config_.name)
    return fmt::format("the flow state in {} belongs to pipeline {}", dir_, stamp->pipeline);
  if (!checkpoint) return "the warehouse has no checkpoint";
  Position state_position;
  try {
    state_position = parse_position(stamp->position);
  } catch (const ConfigError&) {
    return fmt::format("the flow state's position '{}' is unreadable", stamp->position);
  }
  if (!at_or_before(state_position, *checkpoint))
    return fmt::format("the flow state (at {}) is ahead of the warehouse checkpoint {}",
                       stamp->position, to_string(*checkpoint));
  return state_position;
}

bool FlowStateStore::serves(const FlowSet& flows) const {
  return store_->stamp() && store_->stamp()->definition == flows.fingerprint();
}

void FlowStateStore::start_over() {
  store_.reset();
  state::StateStore::destroy(dir_).value_or_raise();
  open();
}

void FlowStateStore::commit(FlowSet& flows, const Position& position) {
  state::StateBatch batch;
  flows.stage(batch);
  if (!store_->stamp()) store_->flush().value_or_raise();  // the snapshot's unlogged rows
  store_->commit(batch, {config_.name, flows.fingerprint(), to_string(position)}).value_or_raise();
}

}  // namespace sluice
