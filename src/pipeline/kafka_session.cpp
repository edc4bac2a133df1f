#include "pipeline/kafka_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "pipeline/connect_deadline.hpp"
#include "pipeline/snapshot_meter.hpp"

namespace sluice {
namespace {

std::atomic<bool> stop_flag{false};

}  // namespace

void request_kafka_stop() {
  stop_flag = true;
}

bool kafka_stop_requested() {
  return stop_flag;
}

void run_kafka_sessions(const char* what, const PipelineConfig& config,
                        const std::function<bool()>& session) {
  ConnectDeadline deadline(config);
  auto backoff = std::chrono::milliseconds(500);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);
  while (!stop_flag) {
    try {
      if (session()) return;
      backoff = std::chrono::milliseconds(500);
    } catch (const SnapshotStopped& e) {
      spdlog::info("{}: {}: the next run takes it again", what, e.what());
      return;
    } catch (const ConnectionError& e) {
      std::chrono::milliseconds wait = deadline.wait_after(e, backoff);
      spdlog::warn("{}: {}; restarting in {} ms from the durable position", what, e.what(),
                   wait.count());
      auto until = std::chrono::steady_clock::now() + wait;
      while (!stop_flag && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

}  // namespace sluice
