#include "harness/pseudo_terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <stdexcept>

namespace sluice::test {

PseudoTerminal::PseudoTerminal(unsigned short columns) {
  controller_fd_ = posix_openpt(O_RDWR | O_NOCTTY);
  if (controller_fd_ < 0 || grantpt(controller_fd_) != 0 || unlockpt(controller_fd_) != 0)
    throw std::runtime_error("cannot open a pseudo-terminal");
  child_fd_ = open(ptsname(controller_fd_), O_RDWR | O_NOCTTY);
  if (child_fd_ < 0) throw std::runtime_error("cannot open the pseudo-terminal's terminal end");
  winsize size{.ws_row = 40, .ws_col = columns, .ws_xpixel = 0, .ws_ypixel = 0};
  ioctl(controller_fd_, TIOCSWINSZ, &size);
  reader_ = std::thread([this] { collect(); });
}

PseudoTerminal::~PseudoTerminal() {
  stopping_ = true;
  reader_.join();
  close(child_fd_);
  close(controller_fd_);
}

void PseudoTerminal::collect() {
  std::array<char, 4096> buffer{};
  while (!stopping_) {
    pollfd readable{.fd = controller_fd_, .events = POLLIN, .revents = 0};
    if (poll(&readable, 1, 50) <= 0) continue;
    ssize_t n = read(controller_fd_, buffer.data(), buffer.size());
    if (n <= 0) continue;
    std::lock_guard lock(mutex_);
    output_.append(buffer.data(), static_cast<size_t>(n));
  }
}

std::string PseudoTerminal::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

std::string PseudoTerminal::settled_output() const {
  std::string last = output();
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::string now = output();
    if (now == last) break;
    last = std::move(now);
  }
  return last;
}

bool PseudoTerminal::wait_for(std::string_view text, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (output().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace sluice::test
