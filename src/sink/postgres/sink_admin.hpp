#pragma once
// Operator commands for a PostgreSQL warehouse: check access, report the checkpoint.

#include <string>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sluice::warehouse {

// Every problem that would stop the sink, one line each; empty when ready.
std::vector<std::string> check_sink(const PipelineConfig& config);

// The checkpoint row and the row count of each destination table.
std::vector<std::string> sink_status(const PipelineConfig& config);

}  // namespace sluice::warehouse
