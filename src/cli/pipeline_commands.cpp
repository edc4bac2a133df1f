#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "obs/progress_display.hpp"
#include "pipeline/endpoints.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "pipeline/session_loop.hpp"
#include "state/state_store.hpp"

namespace sluice::cli {
namespace {

void on_stop_signal(int) {
  request_stop();
}

// Status still prints the source's side when the warehouse cannot be read.
std::optional<Position> checkpoint_if_readable(const PipelineConfig& config) {
  try {
    return make_sink(config)->checkpoint(CheckpointKind::kSourcePosition).position;
  } catch (const std::exception& e) {
    spdlog::warn("cannot read the warehouse checkpoint: {}", e.what());
    return std::nullopt;
  }
}

}  // namespace

int run_pipeline(const std::string& config_path, bool until_caught_up, bool progress) {
  PipelineConfig config = load_pipeline_config(config_path);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  spdlog::info("pipeline {}: {} -> {} ({})", config.name, redact_url(config.source.url),
               redact_url(config.sink.url), config.flows.empty() ? "mirror" : "flows");
  std::optional<obs::ProgressDisplay> display;
  if (progress && obs::terminal_sink() != nullptr) display.emplace(*obs::terminal_sink());
  PipelineRunner runner(config, RunOptions{until_caught_up});
  runner.run();
  return 0;
}

int check_pipeline(const std::string& config_path) {
  PipelineConfig config = load_pipeline_config(config_path);
  std::vector<std::string> problems = source_driver(config.source.type).check(config);
  for (std::string& p : sink_driver(config.sink.type).check(config))
    problems.push_back(std::move(p));
  for (const std::string& p : problems) std::cout << config_path << ": " << p << "\n";
  if (!problems.empty()) return 2;
  std::cout << config_path << ": ok: source and sink are ready\n";
  return 0;
}

int show_status(const std::string& config_path) {
  PipelineConfig config = load_pipeline_config(config_path);
  std::cout << "pipeline " << config.name << "\n";
  const SourceDriver& source = source_driver(config.source.type);
  std::optional<Position> checkpoint =
      source.status_reads_checkpoint ? checkpoint_if_readable(config) : std::nullopt;
  for (const std::string& line : source.status(config, checkpoint)) std::cout << line << "\n";
  for (const std::string& line : sink_driver(config.sink.type).status(config))
    std::cout << line << "\n";
  return 0;
}

int reset_pipeline(const std::string& config_path) {
  PipelineConfig config = load_pipeline_config(config_path);
  const SourceDriver& source = source_driver(config.source.type);
  source.reset(config);
  make_sink(config)->reset();
  std::string state;
  if (!config.flows.empty()) {
    state::StateStore::destroy(state_directory(config)).value_or_raise();
    state = ", the flow state in " + state_directory(config);
  }
  std::cout << "pipeline " << config.name << ": " << source.reset_removes << state
            << "; the next run takes a new snapshot\n";
  return 0;
}

}  // namespace sluice::cli
