#pragma once
// Builds the source and sink a pipeline file names.

#include <memory>

#include "config/pipeline_config.hpp"
#include "sink/sink.hpp"
#include "source/source.hpp"

namespace sluice {

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up);
std::unique_ptr<Sink> make_sink(const PipelineConfig& config);

}  // namespace sluice
