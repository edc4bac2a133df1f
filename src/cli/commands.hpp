#pragma once
// The subcommands of the sluice binary.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace sluice::cli {

class Commands {
 public:
  explicit Commands(CLI::App& app);
  // Runs the subcommand that was parsed; returns the exit code.
  int run();

 private:
  std::string config_path_;
  bool until_caught_up_ = false;
  std::function<int()> selected_;
};

int run_pipeline(const std::string& config_path, bool until_caught_up);
int check_pipeline(const std::string& config_path);
int show_status(const std::string& config_path);
int reset_pipeline(const std::string& config_path);

}  // namespace sluice::cli
