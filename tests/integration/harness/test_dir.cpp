#include "harness/test_dir.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern "C" char** environ;

namespace sluice::test {
namespace {

class TempRoot {
 public:
  TempRoot() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-it-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    // Servers running as another user must be able to reach their folders inside.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all |
                                            std::filesystem::perms::group_exec |
                                            std::filesystem::perms::others_exec);
  }
  ~TempRoot() {
    if (std::getenv("SLUICE_KEEP_TEST_DIR") == nullptr) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

const std::filesystem::path& test_dir() {
  static TempRoot root;
  return root.path();
}

std::filesystem::path make_subdir(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::filesystem::path dir = test_dir() / (prefix + "-" + std::to_string(++counter));
  std::filesystem::create_directories(dir);
  return dir;
}

pid_t start_command(const std::vector<std::string>& args, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

int run_command(const std::vector<std::string>& args, const std::filesystem::path& log) {
  pid_t pid = start_command(args, log);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void stop_when_this_process_dies(const std::string& stop_command,
                                 const std::filesystem::path& log) {
  start_command({"/bin/sh", "-c",
                 "while kill -0 " + std::to_string(getpid()) + " 2>/dev/null; do sleep 1; done; " +
                     stop_command},
                log);
}

void run_or_throw(const std::vector<std::string>& args, const std::filesystem::path& log) {
  int code = run_command(args, log);
  if (code == 0) return;
  std::string command;
  for (const auto& arg : args) command += arg + " ";
  throw std::runtime_error(command + "exited with " + std::to_string(code) + ":\n" +
                           read_file(log));
}

bool running_as_root() {
  return geteuid() == 0;
}

void give_to_user(const std::filesystem::path& path, const std::string& user) {
  if (!running_as_root()) return;
  const passwd* entry = getpwnam(user.c_str());
  if (entry == nullptr) throw std::runtime_error("no system user " + user);
  if (chown(path.c_str(), entry->pw_uid, entry->pw_gid) != 0)
    throw std::runtime_error("cannot chown " + path.string());
}

std::vector<std::string> as_user(const std::string& user, std::vector<std::string> args) {
  if (!running_as_root()) return args;
  args.insert(args.begin(), {"runuser", "-u", user, "--"});
  return args;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string pipeline_name_for_test(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + std::string(info->name()).substr(0, 28);
  // A parameterized test's name ends in "/PARAM": pipeline names allow [a-z0-9_] only.
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::string write_pipeline_file(const std::string& name, const std::string& text) {
  std::filesystem::path path = test_dir() / (name + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace sluice::test
