#include "pipeline/kafka_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.hpp"

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

void run_kafka_sessions(const char* what, const std::function<bool()>& session) {
  auto backoff = std::chrono::milliseconds(500);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);
  while (!stop_flag) {
    try {
      if (session()) return;
      backoff = std::chrono::milliseconds(500);
    } catch (const ConnectionError& e) {
      spdlog::warn("{}: {}; restarting in {} ms from the durable position", what, e.what(),
                   backoff.count());
      auto until = std::chrono::steady_clock::now() + backoff;
      while (!stop_flag && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

}  // namespace sluice
