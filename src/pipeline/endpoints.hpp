#pragma once
// The source and sink types a pipeline file can name, one row each: how to build one and
// the operator commands (`sluice check`, `status`, `reset`) that act on it. Adding a
// source or sink type is adding its folder and a row to its table.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"
#include "sink/sink.hpp"
#include "source/source.hpp"

namespace sluice {

struct SourceDriver {
  SourceType type;
  std::unique_ptr<Source> (*make)(const PipelineConfig& config, bool until_caught_up);
  // Every problem that would stop or endanger capture, one line each.
  std::vector<std::string> (*check)(const PipelineConfig& config);
  // Lines describing the source's side against the warehouse checkpoint (if known).
  std::vector<std::string> (*status)(const PipelineConfig& config,
                                     const std::optional<Position>& checkpoint);
  // Whether status compares the source with the checkpoint, so it must be read first.
  bool status_reads_checkpoint;
  // Removes what the pipeline keeps on the source server.
  void (*reset)(const PipelineConfig& config);
  // What `sluice reset` removed, source and warehouse together, for its message.
  std::string_view reset_removes;
};

// No reset entry: `sluice reset` drops a sink's checkpoint through Sink::reset.
struct SinkDriver {
  SinkType type;
  std::unique_ptr<Sink> (*make)(const PipelineConfig& config);
  // Every problem that would stop the sink, one line each.
  std::vector<std::string> (*check)(const PipelineConfig& config);
  // Lines describing the warehouse's checkpoint and destination tables.
  std::vector<std::string> (*status)(const PipelineConfig& config);
};

const SourceDriver& source_driver(SourceType type);
const SinkDriver& sink_driver(SinkType type);

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up);
std::unique_ptr<Sink> make_sink(const PipelineConfig& config);

}  // namespace sluice
