#pragma once
// The outer loop of `sluice run`, `capture` and `apply`: a stop flag set from signal
// handlers, and sessions retried with backoff after a lost connection (to the source,
// Kafka or the warehouse); each new session resumes from its durable position.

#include <chrono>
#include <functional>
#include <string_view>

#include "config/pipeline_config.hpp"

namespace sluice {

// Async-signal-safe. One process runs one pipeline command, so one flag serves them all.
void request_stop();
bool stop_requested();

struct SessionRetry {
  // Prefix of the log lines ("capture"); empty for `sluice run`.
  std::string_view what;
  // Where a new session resumes, for the log line ("the warehouse checkpoint").
  std::string_view resumes_from;
  // Told of each retry, for /status.
  std::function<void(std::string_view reason)> on_retry;
};

// Runs `session` until it returns true (done) or a stop is requested; a ConnectionError
// ends the session and starts a new one after a backoff (given up on for an end never
// reached, after its connect_timeout: pipeline/connect_deadline.hpp). A snapshot stopped
// by request ends the loop: the next run takes it again.
void run_sessions(const PipelineConfig& config, const SessionRetry& retry,
                  const std::function<bool()>& session);

// Sleeps up to `duration`, waking early when a stop is requested.
void sleep_unless_stopped(std::chrono::milliseconds duration);

}  // namespace sluice
