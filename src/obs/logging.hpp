#pragma once
// Logging setup: human-readable lines on stderr by default, one JSON object per line
// with --log-format json (for log shippers). Text logs on a terminal go through
// obs::TerminalSink, which keeps a live status line below them.

#include <string_view>

namespace sluice {

enum class LogFormat { kText, kJson };

void setup_logging(LogFormat format, std::string_view level);

}  // namespace sluice
