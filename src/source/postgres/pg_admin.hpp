#pragma once
// What the rest of sluice uses of the PostgreSQL source: the source itself (its class
// stays private to source/postgres/) and the operator commands: check settings, report
// slot lag, reset.

#include <memory>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "source/source.hpp"

namespace sluice::pg {

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up);

// Every problem that would stop capture, one line each; empty when ready.
std::vector<std::string> check_source(const PipelineConfig& config);

// Lines describing the slot: confirmed position, lag in bytes, WAL retained, active.
std::vector<std::string> source_status(const PipelineConfig& config);

// Drops the slot and the publication. Throws FatalError while a pipeline is attached.
void reset_source(const PipelineConfig& config);

}  // namespace sluice::pg
