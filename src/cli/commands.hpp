#pragma once
// The subcommands of the sluice binary.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

namespace sluice::cli {

struct DemoArgs;

class Commands {
 public:
  explicit Commands(CLI::App& app);
  // Runs the subcommand that was parsed; returns the exit code.
  int run();

 private:
  std::string config_path_;
  bool until_caught_up_ = false;
  bool no_progress_ = false;
  std::function<int()> selected_;
  std::shared_ptr<DemoArgs> demo_args_;
};

// Adds `sluice demo init|ingest|upsert` (demo_commands.cpp); the returned options must
// outlive parsing and the run.
std::shared_ptr<DemoArgs> add_demo_commands(CLI::App& app, std::function<int()>& selected);

// `progress`: draw the live status line when stderr is a terminal.
int run_pipeline(const std::string& config_path, bool until_caught_up, bool progress);
int check_pipeline(const std::string& config_path);
int show_status(const std::string& config_path);
int reset_pipeline(const std::string& config_path);
int capture_pipeline(const std::string& config_path, bool until_caught_up);
int apply_pipeline(const std::string& config_path, bool until_caught_up);

}  // namespace sluice::cli
