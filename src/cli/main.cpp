// sluice: change data capture from PostgreSQL and MySQL into a warehouse, exactly once.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "obs/logging.hpp"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

void print_error(const std::string& message) {
  std::fprintf(stderr, "sluice: %s\n", message.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice: change data capture into a warehouse, exactly once"};
  app.require_subcommand(1);
  std::string log_format = "text";
  std::string log_level = "info";
  app.add_option("--log-format", log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error");
  sluice::cli::Commands commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  try {
    sluice::setup_logging(
        log_format == "json" ? sluice::LogFormat::kJson : sluice::LogFormat::kText, log_level);
    return commands.run();
  } catch (const sluice::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
}
