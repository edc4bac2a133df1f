#pragma once
// Dates and timestamps in PostgreSQL's canonical text form ("2021-08-15 10:00:00",
// "2021-09-01", "2021-08-15 10:00:00+00"), held as days or microseconds since 1970-01-01
// while a flow computes with them. Time zones: values with an offset are converted to
// UTC; timestamptz output is written in UTC ("+00"), the form a UTC session prints.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::transform {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Accept surrounding blanks; nullopt on anything else malformed.
std::optional<int64_t> parse_date(std::string_view text);
// Without an offset the value is taken as written; `apply_offset` converts a written
// offset ("+02", "-05:30", "Z") to UTC (timestamptz), otherwise it is ignored (timestamp).
std::optional<int64_t> parse_timestamp(std::string_view text, bool apply_offset);

// Append the canonical text; `out` must have room for kMaxTimestampText bytes.
inline constexpr size_t kMaxTimestampText = 40;
size_t format_date(int64_t days, char* out);
size_t format_timestamp(int64_t micros, bool with_zone, char* out);

enum class TimeUnit : uint8_t {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kQuarter,
  kYear,
  kDecade,
  kCentury,
  kMillennium,
  kDow,     // EXTRACT only
  kIsoDow,  // EXTRACT only
  kDoy,     // EXTRACT only
  kEpoch,   // EXTRACT only
};

// Accepts PostgreSQL's spellings (singular, plural, common abbreviations).
std::optional<TimeUnit> parse_time_unit(std::string_view name);
bool truncatable(TimeUnit unit);

int64_t truncate_timestamp(TimeUnit unit, int64_t micros);
// EXTRACT's numeric result as PostgreSQL 14+ prints it (second and epoch with 6 decimals,
// millisecond with 3), written to `out` (room for kMaxTimestampText bytes).
size_t extract_field(TimeUnit unit, int64_t micros, char* out);

}  // namespace sluice::transform
