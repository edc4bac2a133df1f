#include "demo/ingest_pacer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/error.hpp"

namespace sluice::demo {

IngestPacer::IngestPacer(double rows_per_second, Clock::time_point start)
    : rate_(rows_per_second), start_(start) {}

uint64_t IngestPacer::due(Clock::time_point now) const {
  double seconds = std::chrono::duration<double>(now - start_).count();
  if (seconds < 0) return 1;
  return 1 + static_cast<uint64_t>(std::floor(seconds * rate_));
}

IngestPacer::Clock::time_point IngestPacer::next_due(uint64_t count) const {
  if (count == 0) return start_;
  auto offset = std::chrono::duration<double>(static_cast<double>(count) / rate_);
  return start_ + std::chrono::ceil<Clock::duration>(offset);
}

std::chrono::milliseconds parse_demo_duration(std::string_view text) {
  double amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size());
  double factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "ms")
    factor = 1;
  else if (unit == "m" || unit == "min")
    factor = 60000;
  else if (unit == "h")
    factor = 3600000;
  if (ec != std::errc{} || factor == 0 || amount <= 0 || !std::isfinite(amount))
    throw ConfigError(
        fmt::format("--duration: expected a time like 30s, 5m, 1h or 500ms, got '{}'", text));
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(amount * factor)));
}

}  // namespace sluice::demo
