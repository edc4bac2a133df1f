#include "obs/terminal_sink.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::obs {
namespace {

constexpr std::string_view kEraseLine = "\r\x1b[K";

std::shared_ptr<TerminalSink>& installed_sink() {
  static std::shared_ptr<TerminalSink> sink;
  return sink;
}

}  // namespace

void TerminalSink::set_status(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (text == status_) return;
  status_ = text;
  std::string out(kEraseLine);
  out += status_;
  write_all(out);
}

size_t TerminalSink::width() const {
  winsize size{};
  if (ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

void TerminalSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  if (!status_.empty()) formatted.append(kEraseLine);
  formatter_->format(msg, formatted);
  formatted.append(status_);
  write_all(std::string_view(formatted.data(), formatted.size()));
}

void TerminalSink::write_all(std::string_view bytes) const {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed terminal: nothing to tell anyone
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

TerminalSink* terminal_sink() {
  return installed_sink().get();
}

void set_terminal_sink(std::shared_ptr<TerminalSink> sink) {
  installed_sink() = std::move(sink);
}

}  // namespace sluice::obs
