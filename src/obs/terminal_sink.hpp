#pragma once
// Log output for a terminal: log lines scroll as usual while one status line stays below
// them, redrawn in place. Writing a log line erases the status line, writes the log line
// and draws the status line again, under one lock, so the two never interleave.

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <string_view>

namespace sluice::obs {

class TerminalSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit TerminalSink(int fd) : fd_(fd) {}

  // Replaces the status line; an empty text removes it.
  void set_status(std::string_view text);
  // Columns of the terminal, 80 when it does not say.
  size_t width() const;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  void write_all(std::string_view bytes) const;

  int fd_;
  std::string status_;
};

// The terminal sink of the process's logger, or null when stderr is not a terminal or
// logs are JSON (set by setup_logging).
TerminalSink* terminal_sink();
void set_terminal_sink(std::shared_ptr<TerminalSink> sink);

}  // namespace sluice::obs
