#include "cli/commands.hpp"

#include <fmt/format.h>

#include <iostream>

#include "config/pipeline_config.hpp"
#include "transform/function_catalog.hpp"

namespace sluice::cli {

Commands::Commands(CLI::App& app) {
  auto add_config = [this](CLI::App* sub) {
    sub->add_option("-c,--config", config_path_, "pipeline file (YAML)")->required();
  };
  CLI::App* run = app.add_subcommand("run", "snapshot where needed, then stream until stopped");
  add_config(run);
  run->add_flag("--until-caught-up", until_caught_up_,
                "exit 0 once everything the source had committed at start is applied");
  run->add_flag("--no-progress", no_progress_,
                "no live status line on a terminal (it is never drawn for pipes or JSON logs)");
  run->callback([this] {
    selected_ = [this] { return run_pipeline(config_path_, until_caught_up_, !no_progress_); };
  });

  CLI::App* check =
      app.add_subcommand("check", "validate the file and both ends; list every problem");
  add_config(check);
  check->callback([this] { selected_ = [this] { return check_pipeline(config_path_); }; });

  CLI::App* status = app.add_subcommand("status", "applied position, lag and table counts");
  add_config(status);
  status->callback([this] { selected_ = [this] { return show_status(config_path_); }; });

  CLI::App* reset = app.add_subcommand(
      "reset", "drop the slot, publication and checkpoint, so the next run starts over");
  add_config(reset);
  reset->callback([this] { selected_ = [this] { return reset_pipeline(config_path_); }; });

  CLI::App* capture = app.add_subcommand("capture", "source -> Kafka (the transport: section)");
  add_config(capture);
  capture->add_flag("--until-caught-up", until_caught_up_,
                    "exit 0 once everything the source had committed at start is in Kafka");
  capture->callback(
      [this] { selected_ = [this] { return capture_pipeline(config_path_, until_caught_up_); }; });

  CLI::App* apply = app.add_subcommand(
      "apply", "Kafka -> warehouse, sharing partitions with every other apply process");
  add_config(apply);
  apply->add_flag("--until-caught-up", until_caught_up_,
                  "exit 0 once the partitions this process holds are applied to their end");
  apply->callback(
      [this] { selected_ = [this] { return apply_pipeline(config_path_, until_caught_up_); }; });

  CLI::App* reference =
      app.add_subcommand("config-reference", "print the pipeline file reference (Markdown)");
  reference->callback([this] {
    selected_ = [] {
      std::cout << configuration_reference();
      return 0;
    };
  });

  CLI::App* functions = app.add_subcommand(
      "functions-reference", "print the flow functions reference of docs/flows.md (Markdown)");
  functions->callback([this] {
    selected_ = [] {
      std::cout << transform::function_reference();
      return 0;
    };
  });

  demo_args_ = add_demo_commands(app, selected_);
}

int Commands::run() {
  return selected_();
}

}  // namespace sluice::cli
