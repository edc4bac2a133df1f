#pragma once
// What the rest of sluice uses of the MySQL/MariaDB source: the source itself (its class
// stays private to source/mysql/) and the operator commands: check settings and
// privileges, report the binlog position and lag, reset.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"
#include "source/source.hpp"

namespace sluice::mysql {

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up);

// Every problem that would stop or endanger capture, one line each; empty when ready.
std::vector<std::string> check_source(const PipelineConfig& config);

// The `sluice check` line for a binlog_row_value_options value sluice refuses, if it is one.
std::optional<std::string> row_value_options_problem(std::string_view value);

// Lines describing the server's binlog against the warehouse checkpoint (if any).
std::vector<std::string> source_status(const PipelineConfig& config,
                                       const std::optional<Position>& checkpoint);

// A replica leaves no state on a MySQL server (unlike a PostgreSQL slot): only checks that
// no binlog dump for this pipeline's replica id is attached. Throws FatalError if one is.
void reset_source(const PipelineConfig& config);

}  // namespace sluice::mysql
