#pragma once
// What `sluice capture` and `sluice apply` share: a stop flag set from signal handlers,
// and sessions retried with backoff after a lost connection (to the source, Kafka or the
// warehouse); each new session resumes from its durable position.

#include <functional>

#include "config/pipeline_config.hpp"

namespace sluice {

// Async-signal-safe.
void request_kafka_stop();
bool kafka_stop_requested();

// Runs `session` until it returns true (done) or a stop is requested; a ConnectionError
// ends the session and starts a new one after a backoff (given up on for an end never
// reached, after its connect_timeout: pipeline/connect_deadline.hpp).
void run_kafka_sessions(const char* what, const PipelineConfig& config,
                        const std::function<bool()>& session);

}  // namespace sluice
