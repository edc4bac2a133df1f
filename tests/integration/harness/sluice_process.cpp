#include "harness/sluice_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <stdexcept>
#include <thread>

#include "harness/test_dir.hpp"

extern "C" char** environ;

namespace sluice::test {
namespace {

// Flow state goes into the test folder (its default is under the home directory), unless
// the test says otherwise.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> wanted = extra;
  wanted.try_emplace("XDG_STATE_HOME", (test_dir() / "state").string());
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    if (!wanted.contains(text.substr(0, text.find('=')))) env.push_back(text);
  }
  for (const auto& [name, value] : wanted) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

SluiceProcess::SluiceProcess(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& extra_env, int stderr_fd) {
  std::filesystem::path dir = make_subdir("sluice");
  stdout_path_ = dir / "stdout";
  stderr_path_ = dir / "stderr";
  std::vector<std::string> argv_strings{SLUICE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = environment_with(extra_env);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(), O_WRONLY | O_CREAT, 0644);
  if (stderr_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  else
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT, 0644);
  int rc = posix_spawn(&pid_, SLUICE_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + SLUICE_BINARY);
}

SluiceProcess::~SluiceProcess() {
  if (!exited()) {
    kill(SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void SluiceProcess::kill(int signal) {
  if (!reaped_) ::kill(pid_, signal);
}

bool SluiceProcess::exited() {
  if (reaped_) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  reaped_ = true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

int SluiceProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exited()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(SIGKILL);
      while (!exited()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

std::string SluiceProcess::stdout_text() const {
  return read_file(stdout_path_);
}

std::string SluiceProcess::stderr_text() const {
  return read_file(stderr_path_);
}

ProcessResult SluiceProcess::run_to_completion(
    const std::vector<std::string>& args, std::chrono::milliseconds timeout,
    const std::map<std::string, std::string>& extra_env) {
  SluiceProcess process(args, extra_env);
  ProcessResult result;
  result.exit_code = process.wait(timeout);
  result.stdout_text = process.stdout_text();
  result.stderr_text = process.stderr_text();
  return result;
}

}  // namespace sluice::test
