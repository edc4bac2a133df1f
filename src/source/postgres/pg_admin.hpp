#pragma once
// Operator commands for a PostgreSQL source: check settings, report slot lag, reset.

#include <string>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sluice::pg {

// Every problem that would stop capture, one line each; empty when ready.
std::vector<std::string> check_source(const PipelineConfig& config);

// Lines describing the slot: confirmed position, lag in bytes, WAL retained, active.
std::vector<std::string> source_status(const PipelineConfig& config);

// Drops the slot and the publication. Throws FatalError while a pipeline is attached.
void reset_source(const PipelineConfig& config);

}  // namespace sluice::pg
