#pragma once
// How long to keep trying an end (source, sink) that this run has never reached. A wrong
// host or port does not fix itself, and an unattended run (--until-caught-up from a
// scheduler) must end rather than retry forever; so such an end is tried until its
// connect_timeout has passed since the first failure, then given up. Once an end has been
// reached, losing it is retried without end: servers restart and networks heal.

#include <chrono>
#include <map>
#include <string>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"

namespace sluice {

class ConnectDeadline {
 public:
  explicit ConnectDeadline(const PipelineConfig& config) : config_(config) {}

  // How long to wait before reconnecting after `e`: `backoff`, cut to what is left of the
  // connect_timeout of an end never reached. Throws FatalError, in one line naming the
  // end, its address and the last reason, once that time is up.
  std::chrono::milliseconds wait_after(const ConnectionError& e, std::chrono::milliseconds backoff);

 private:
  const PipelineConfig& config_;
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> first_failure_;
};

}  // namespace sluice
