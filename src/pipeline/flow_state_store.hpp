#pragma once
// The flows' state store for `sluice run`: decides whether the stored state can serve a
// restart at the warehouse checkpoint, and records each committed batch's state.
//
// The order that makes this exact: (1) the warehouse commits a batch's rows with position
// W, (2) the store commits the batch's state changes stamped W, (3) the source is
// acknowledged at W. After a crash between (1) and (2) the state is at S < W and the
// source still holds (S, W]: replayed into the state alone, since the warehouse has it.

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "config/pipeline_config.hpp"
#include "core/position.hpp"
#include "state/state_store.hpp"

namespace sluice {

class FlowSet;

class FlowStateStore {
 public:
  // Opens (or creates) the store in state_directory(config). A damaged store is removed
  // with a warning (the flows are rebuilt); one held by another process is a FatalError.
  explicit FlowStateStore(const PipelineConfig& config);

  state::StateStore& store() { return *store_; }

  // Where the source resumes for the state to catch up with the warehouse `checkpoint`
  // (the state's own position), or why the state cannot serve it.
  std::variant<Position, std::string> resume_point(const std::optional<Position>& checkpoint) const;
  // Whether the store was written by flows of this definition.
  bool serves(const FlowSet& flows) const;

  // Empties the store, for a fresh snapshot to fill.
  void start_over();
  // The state of `flows` is that of `position`: after the warehouse committed it.
  void commit(FlowSet& flows, const Position& position);

 private:
  void open();

  const PipelineConfig& config_;
  std::string dir_;
  std::unique_ptr<state::StateStore> store_;
};

}  // namespace sluice
