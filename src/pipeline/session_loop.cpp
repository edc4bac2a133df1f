#include "pipeline/session_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "pipeline/connect_deadline.hpp"
#include "pipeline/snapshot_meter.hpp"

namespace sluice {
namespace {

std::atomic<bool> stop_flag{false};

std::string log_prefix(std::string_view what) {
  return what.empty() ? std::string() : std::string(what) + ": ";
}

}  // namespace

void request_stop() {
  stop_flag = true;
}

bool stop_requested() {
  return stop_flag;
}

void sleep_unless_stopped(std::chrono::milliseconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop_flag && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void run_sessions(const PipelineConfig& config, const SessionRetry& retry,
                  const std::function<bool()>& session) {
  ConnectDeadline deadline(config);
  constexpr auto kFirstBackoff = std::chrono::milliseconds(500);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);
  auto backoff = kFirstBackoff;
  const std::string prefix = log_prefix(retry.what);
  while (!stop_flag) {
    try {
      if (session()) return;
      backoff = kFirstBackoff;
    } catch (const SnapshotStopped& e) {
      spdlog::info("{}{}: the next run takes it again", prefix, e.what());
      return;
    } catch (const ConnectionError& e) {
      std::chrono::milliseconds wait = deadline.wait_after(e, backoff);
      if (retry.on_retry) retry.on_retry(e.what());
      spdlog::warn("{}{}; reconnecting in {} ms and resuming from {}", prefix, e.what(),
                   wait.count(), retry.resumes_from);
      sleep_unless_stopped(wait);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

}  // namespace sluice
