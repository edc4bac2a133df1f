#include "pipeline/connect_deadline.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/connected_ends.hpp"

namespace sluice {

std::chrono::milliseconds ConnectDeadline::wait_after(const ConnectionError& e,
                                                      std::chrono::milliseconds backoff) {
  const auto* failed = dynamic_cast<const ConnectFailedError*>(&e);
  if (failed == nullptr || was_connected(failed->end())) return backoff;
  std::chrono::milliseconds timeout;
  if (failed->end() == "source")
    timeout = config_.source.connect_timeout;
  else if (failed->end() == "sink")
    timeout = config_.sink.connect_timeout;
  else
    return backoff;
  auto now = std::chrono::steady_clock::now();
  auto first = first_failure_.try_emplace(failed->end(), now).first->second;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(first + timeout - now);
  if (left <= std::chrono::milliseconds::zero())
    throw FatalError(fmt::format(
        "{0}: cannot connect to {1} for {2:g} s ({0}.connect_timeout): {3}", failed->end(),
        failed->address(), static_cast<double>(timeout.count()) / 1000, failed->reason()));
  return std::min(backoff, left);
}

}  // namespace sluice
