// `sluice capture` and `sluice apply`: the two halves of a pipeline with Kafka between.

#include <spdlog/spdlog.h>

#include <csignal>

#include "cli/commands.hpp"
#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "pipeline/kafka/apply_worker.hpp"
#include "pipeline/kafka/capture_worker.hpp"
#include "pipeline/session_loop.hpp"
#include "transport/kafka/kafka_config.hpp"

namespace sluice::cli {
namespace {

void on_stop_signal(int) {
  request_stop();
}

PipelineConfig load_with_transport(const std::string& config_path) {
  PipelineConfig config = load_pipeline_config(config_path);
  if (!config.transport.enabled)
    throw ConfigError(config_path + ": transport: required for capture and apply (type: kafka)");
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::string properties;
  for (const auto& [name, value] : config.transport.properties)
    properties += " " + kafka::redact_property(name, value);
  spdlog::info("pipeline {}: kafka {} prefix {}{}", config.name, config.transport.brokers,
               config.transport.prefix(config.name), properties);
  return config;
}

}  // namespace

int capture_pipeline(const std::string& config_path, bool until_caught_up) {
  PipelineConfig config = load_with_transport(config_path);
  spdlog::info("capture: {} -> kafka", redact_url(config.source.url));
  KafkaCapture(config, until_caught_up).run();
  return 0;
}

int apply_pipeline(const std::string& config_path, bool until_caught_up) {
  PipelineConfig config = load_with_transport(config_path);
  spdlog::info("apply: kafka -> {}", redact_url(config.sink.url));
  KafkaApply(config, until_caught_up).run();
  return 0;
}

}  // namespace sluice::cli
