#pragma once
// The live status line of `sluice run` on a terminal: redrawn four times a second from
// the pipeline's metrics, on a thread of its own for as long as the object lives, and
// erased when it goes (before an error message or the shell prompt).

#include <condition_variable>
#include <mutex>
#include <thread>

#include "obs/progress_line.hpp"
#include "obs/terminal_sink.hpp"

namespace sluice::obs {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(TerminalSink& terminal);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

 private:
  void run();
  std::string current_line();

  TerminalSink& terminal_;
  RateWindow snapshot_rate_;
  RateWindow streaming_rate_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::obs
