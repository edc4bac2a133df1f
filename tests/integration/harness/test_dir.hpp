#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::test {

// One temporary folder per test process, removed when the process exits. Servers,
// pipeline files and process logs live inside it.
const std::filesystem::path& test_dir();

// A fresh subfolder of test_dir() named after `prefix`.
std::filesystem::path make_subdir(const std::string& prefix);

// Starts a command in the background; its output goes to `log`.
pid_t start_command(const std::vector<std::string>& args, const std::filesystem::path& log);

// A test process killed by a timeout runs no destructors: servers it started would
// outlive it. This runs `stop_command` (a shell command) once this process is gone.
void stop_when_this_process_dies(const std::string& stop_command, const std::filesystem::path& log);

// Runs a command to completion and returns its exit code; its output goes to `log`.
int run_command(const std::vector<std::string>& args, const std::filesystem::path& log);

// Like run_command, but throws with the command's output when it fails.
void run_or_throw(const std::vector<std::string>& args, const std::filesystem::path& log);

// Servers that refuse to run as root (PostgreSQL) run as this system user instead.
bool running_as_root();
void give_to_user(const std::filesystem::path& path, const std::string& user);
std::vector<std::string> as_user(const std::string& user, std::vector<std::string> args);

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

std::string read_file(const std::filesystem::path& path);

// A pipeline (and database) name for the running test: `prefix` and the test's name in
// lower case, short enough for pipeline names (at most 40 characters).
std::string pipeline_name_for_test(const std::string& prefix);

// Writes a pipeline file into test_dir() and returns its path.
std::string write_pipeline_file(const std::string& name, const std::string& text);

}  // namespace sluice::test
