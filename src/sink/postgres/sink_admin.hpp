#pragma once
// What the rest of sluice uses of the PostgreSQL (and Redshift) warehouse: the sink itself
// (its class stays private to sink/postgres/) and the operator commands: check access,
// report the checkpoint.

#include <memory>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "sink/sink.hpp"

namespace sluice::warehouse {

std::unique_ptr<Sink> make_sink(const PipelineConfig& config);

// Every problem that would stop the sink, one line each; empty when ready.
std::vector<std::string> check_sink(const PipelineConfig& config);

// The checkpoint row and the row count of each destination table.
std::vector<std::string> sink_status(const PipelineConfig& config);

}  // namespace sluice::warehouse
