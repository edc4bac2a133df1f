#include "obs/terminal_sink.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <array>
#include <memory>

namespace sluice::obs {
namespace {

// A sink writing into a pipe, and everything it wrote.
class PipeTerminal {
 public:
  PipeTerminal() {
    EXPECT_EQ(pipe2(fds_.data(), O_NONBLOCK), 0);
    sink = std::make_shared<TerminalSink>(fds_[1]);
    sink->set_pattern("%v");
    logger = std::make_shared<spdlog::logger>("test", sink);
  }
  ~PipeTerminal() {
    close(fds_[0]);
    close(fds_[1]);
  }
  std::string written() {
    std::string out;
    std::array<char, 4096> buffer{};
    ssize_t n = 0;
    while ((n = read(fds_[0], buffer.data(), buffer.size())) > 0)
      out.append(buffer.data(), static_cast<size_t>(n));
    return out;
  }

  std::shared_ptr<TerminalSink> sink;
  std::shared_ptr<spdlog::logger> logger;

 private:
  std::array<int, 2> fds_{};
};

TEST(TerminalSink, LogLinesWithoutStatusAreWrittenAsIs) {
  PipeTerminal terminal;
  terminal.logger->info("snapshot complete");
  EXPECT_EQ(terminal.written(), "snapshot complete\n");
}

TEST(TerminalSink, StatusIsRedrawnInPlace) {
  PipeTerminal terminal;
  terminal.sink->set_status("snapshot 10%");
  terminal.sink->set_status("snapshot 20%");
  terminal.sink->set_status("snapshot 20%");  // unchanged: nothing written
  EXPECT_EQ(terminal.written(), "\r\x1b[Ksnapshot 10%\r\x1b[Ksnapshot 20%");
}

TEST(TerminalSink, LogLineErasesTheStatusAndDrawsItAgainBelow) {
  PipeTerminal terminal;
  terminal.sink->set_status("streaming 5 rows/s");
  terminal.written();
  terminal.logger->warn("reconnecting");
  EXPECT_EQ(terminal.written(), "\r\x1b[Kreconnecting\nstreaming 5 rows/s");
}

TEST(TerminalSink, EmptyStatusErasesTheLine) {
  PipeTerminal terminal;
  terminal.sink->set_status("streaming");
  terminal.sink->set_status("");
  terminal.logger->info("stopped");
  EXPECT_EQ(terminal.written(), "\r\x1b[Kstreaming\r\x1b[Kstopped\n");
}

TEST(TerminalSink, WidthFallsBackTo80WhenNotATerminal) {
  PipeTerminal terminal;
  EXPECT_EQ(terminal.sink->width(), 80u);
}

}  // namespace
}  // namespace sluice::obs
