#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/test_dir.hpp"

namespace sluice::test {

struct ProcessResult {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// The sluice binary under test, running in the background with its output in files.
class SluiceProcess {
 public:
  // `stderr_fd`: where the process's stderr goes instead of a file (a terminal, say).
  explicit SluiceProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& extra_env = {},
                         int stderr_fd = -1);
  ~SluiceProcess();
  SluiceProcess(const SluiceProcess&) = delete;
  SluiceProcess& operator=(const SluiceProcess&) = delete;

  void kill(int signal);
  // The exit code, 128 + signal when killed, or -1 when it did not end in time (it is
  // then killed).
  int wait(std::chrono::milliseconds timeout);
  bool exited();
  std::string stdout_text() const;
  std::string stderr_text() const;

  static ProcessResult run_to_completion(const std::vector<std::string>& args,
                                         std::chrono::milliseconds timeout,
                                         const std::map<std::string, std::string>& extra_env = {});

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

}  // namespace sluice::test
