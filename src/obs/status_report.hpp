#pragma once
// The JSON document served at /status.

#include <string>

#include "obs/pipeline_metrics.hpp"

namespace sluice::obs {

// {"pipeline", "state", "applied_position", "lag_seconds", "batches", "last_error",
//  "rows_in": {table: n}, "rows_out": {table: n},
//  "snapshot": {table: {"rows": n, "done": bool}}}
std::string status_json(const PipelineStatus& status, const PipelineMetrics& metrics);

}  // namespace sluice::obs
