#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace sluice::test {

// A pseudo-terminal to give a child process as its stderr, so it behaves as it does for a
// person at a terminal. What the child writes is collected in the background (a terminal
// nobody reads would block it once its buffer fills).
class PseudoTerminal {
 public:
  explicit PseudoTerminal(unsigned short columns = 120);
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  // The terminal end, for the child's stderr.
  int child_fd() const { return child_fd_; }
  std::string output() const;
  // The output once nothing more has arrived for a moment: after the child exits, what it
  // wrote last may still be on its way through the terminal.
  std::string settled_output() const;
  // Waits until the output contains `text`; false when the timeout passes first.
  bool wait_for(std::string_view text, std::chrono::milliseconds timeout) const;

 private:
  void collect();

  int controller_fd_ = -1;
  int child_fd_ = -1;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string output_;
  std::thread reader_;
};

}  // namespace sluice::test
