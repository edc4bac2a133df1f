#include "transform/datetime.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>

#include "core/civil_date.hpp"
#include "transform/text_functions.hpp"

namespace sluice::transform {
namespace {

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits (or at least `width` when `at_least`).
bool read_digits(std::string_view& s, size_t width, int64_t& out, bool at_least = false) {
  size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (at_least ? n < width : n != width) return false;
  std::from_chars(s.data(), s.data() + n, out);
  s.remove_prefix(n);
  return true;
}

bool eat(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

std::optional<int64_t> read_date(std::string_view& s) {
  int64_t y = 0, m = 0, d = 0;
  if (!read_digits(s, 4, y, true) || !eat(s, '-') || !read_digits(s, 2, m) || !eat(s, '-') ||
      !read_digits(s, 2, d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, static_cast<unsigned>(m)))
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::optional<int64_t> read_fraction(std::string_view& s) {
  int64_t micros = 0;
  int64_t scale = 100'000;
  size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) {
    micros += (s[n] - '0') * scale;
    scale /= 10;
    ++n;
  }
  if (n == 0 || n > 6) return std::nullopt;
  s.remove_prefix(n);
  return micros;
}

std::optional<int64_t> read_time(std::string_view& s) {
  int64_t h = 0, mi = 0, sec = 0, frac = 0;
  if (!read_digits(s, 2, h) || !eat(s, ':') || !read_digits(s, 2, mi)) return std::nullopt;
  if (eat(s, ':')) {
    if (!read_digits(s, 2, sec)) return std::nullopt;
    if (eat(s, '.')) {
      auto f = read_fraction(s);
      if (!f) return std::nullopt;
      frac = *f;
    }
  }
  if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi != 0 || sec != 0 || frac != 0)))
    return std::nullopt;
  return ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond + frac;
}

// "+HH", "+HH:MM", "+HHMM", "+HH:MM:SS", "Z"; returns the offset in microseconds.
std::optional<int64_t> read_offset(std::string_view& s) {
  if (eat(s, 'Z') || eat(s, 'z')) return 0;
  int sign = eat(s, '+') ? 1 : eat(s, '-') ? -1 : 0;
  if (sign == 0) return std::nullopt;
  int64_t h = 0, m = 0, sec = 0;
  if (!read_digits(s, 2, h)) return std::nullopt;
  if (eat(s, ':')) {
    if (!read_digits(s, 2, m)) return std::nullopt;
    if (eat(s, ':') && !read_digits(s, 2, sec)) return std::nullopt;
  } else if (!s.empty()) {
    if (!read_digits(s, 2, m)) return std::nullopt;
  }
  return sign * ((h * 60 + m) * 60 + sec) * kMicrosPerSecond;
}

}  // namespace

std::optional<int64_t> parse_date(std::string_view text) {
  std::string_view s = trim_blanks(text);
  auto days = read_date(s);
  if (!days || !s.empty()) return std::nullopt;
  return days;
}

std::optional<int64_t> parse_timestamp(std::string_view text, bool apply_offset) {
  std::string_view s = trim_blanks(text);
  auto days = read_date(s);
  if (!days) return std::nullopt;
  int64_t micros = *days * kMicrosPerDay;
  if (s.empty()) return micros;
  if (!eat(s, ' ') && !eat(s, 'T')) return std::nullopt;
  auto time = read_time(s);
  if (!time) return std::nullopt;
  micros += *time;
  if (s.empty()) return micros;
  auto offset = read_offset(s);
  if (!offset || !s.empty()) return std::nullopt;
  return apply_offset ? micros - *offset : micros;
}

size_t format_date(int64_t days, char* out) {
  CivilDate c = civil_from_days(days);
  auto r = fmt::format_to_n(out, kMaxTimestampText, "{:04}-{:02}-{:02}", c.year, c.month, c.day);
  return r.size;
}

size_t format_timestamp(int64_t micros, bool with_zone, char* out) {
  int64_t days = floor_div(micros, kMicrosPerDay);
  int64_t in_day = micros - days * kMicrosPerDay;
  size_t n = format_date(days, out);
  int64_t secs = in_day / kMicrosPerSecond;
  int64_t frac = in_day % kMicrosPerSecond;
  n += fmt::format_to_n(out + n, kMaxTimestampText - n, " {:02}:{:02}:{:02}", secs / 3600,
                        secs / 60 % 60, secs % 60)
           .size;
  if (frac != 0) {
    char digits[8];
    fmt::format_to_n(digits, sizeof digits, "{:06}", frac);
    size_t len = 6;
    while (digits[len - 1] == '0') --len;  // PostgreSQL drops trailing zeros
    out[n++] = '.';
    for (size_t i = 0; i < len; ++i) out[n++] = digits[i];
  }
  if (with_zone) {
    out[n++] = '+';
    out[n++] = '0';
    out[n++] = '0';
  }
  return n;
}

std::optional<TimeUnit> parse_time_unit(std::string_view raw) {
  std::string name;
  for (char c : raw) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  struct Entry {
    std::string_view name;
    TimeUnit unit;
  };
  static constexpr Entry kUnits[] = {
      {"microsecond", TimeUnit::kMicrosecond},
      {"microseconds", TimeUnit::kMicrosecond},
      {"us", TimeUnit::kMicrosecond},
      {"millisecond", TimeUnit::kMillisecond},
      {"milliseconds", TimeUnit::kMillisecond},
      {"ms", TimeUnit::kMillisecond},
      {"second", TimeUnit::kSecond},
      {"seconds", TimeUnit::kSecond},
      {"sec", TimeUnit::kSecond},
      {"minute", TimeUnit::kMinute},
      {"minutes", TimeUnit::kMinute},
      {"min", TimeUnit::kMinute},
      {"hour", TimeUnit::kHour},
      {"hours", TimeUnit::kHour},
      {"day", TimeUnit::kDay},
      {"days", TimeUnit::kDay},
      {"week", TimeUnit::kWeek},
      {"weeks", TimeUnit::kWeek},
      {"month", TimeUnit::kMonth},
      {"months", TimeUnit::kMonth},
      {"quarter", TimeUnit::kQuarter},
      {"year", TimeUnit::kYear},
      {"years", TimeUnit::kYear},
      {"decade", TimeUnit::kDecade},
      {"century", TimeUnit::kCentury},
      {"millennium", TimeUnit::kMillennium},
      {"dow", TimeUnit::kDow},
      {"isodow", TimeUnit::kIsoDow},
      {"doy", TimeUnit::kDoy},
      {"epoch", TimeUnit::kEpoch},
  };
  for (const Entry& e : kUnits)
    if (e.name == name) return e.unit;
  return std::nullopt;
}

bool truncatable(TimeUnit unit) {
  return unit != TimeUnit::kDow && unit != TimeUnit::kIsoDow && unit != TimeUnit::kDoy &&
         unit != TimeUnit::kEpoch;
}

namespace {

int64_t start_of_year(int64_t year) {
  return days_from_civil(year, 1, 1) * kMicrosPerDay;
}

// PostgreSQL's decades, centuries and millennia: centuries start at year 1 (2001 is the
// first year of the 21st century), decades at year 0.
int64_t truncate_years(TimeUnit unit, int64_t year) {
  switch (unit) {
    case TimeUnit::kDecade:
      return floor_div(year, 10) * 10;
    case TimeUnit::kCentury:
      return year > 0 ? (year - 1) / 100 * 100 + 1 : year;
    case TimeUnit::kMillennium:
      return year > 0 ? (year - 1) / 1000 * 1000 + 1 : year;
    default:
      return year;
  }
}

}  // namespace

int64_t truncate_timestamp(TimeUnit unit, int64_t micros) {
  int64_t days = floor_div(micros, kMicrosPerDay);
  CivilDate c = civil_from_days(days);
  switch (unit) {
    case TimeUnit::kMicrosecond:
      return micros;
    case TimeUnit::kMillisecond:
      return floor_div(micros, 1000) * 1000;
    case TimeUnit::kSecond:
      return floor_div(micros, kMicrosPerSecond) * kMicrosPerSecond;
    case TimeUnit::kMinute:
      return floor_div(micros, 60 * kMicrosPerSecond) * 60 * kMicrosPerSecond;
    case TimeUnit::kHour:
      return floor_div(micros, 3600 * kMicrosPerSecond) * 3600 * kMicrosPerSecond;
    case TimeUnit::kDay:
      return days * kMicrosPerDay;
    case TimeUnit::kWeek:  // ISO weeks start on Monday; 1970-01-01 was a Thursday
      return (days - ((days + 3) % 7 + 7) % 7) * kMicrosPerDay;
    case TimeUnit::kMonth:
      return days_from_civil(c.year, c.month, 1) * kMicrosPerDay;
    case TimeUnit::kQuarter:
      return days_from_civil(c.year, (c.month - 1) / 3 * 3 + 1, 1) * kMicrosPerDay;
    case TimeUnit::kYear:
    case TimeUnit::kDecade:
    case TimeUnit::kCentury:
    case TimeUnit::kMillennium:
      return start_of_year(truncate_years(unit, c.year));
    default:
      return micros;
  }
}

namespace {

size_t write_scaled(int64_t value, int64_t divisor, int decimals, char* out) {
  int64_t whole = value / divisor;
  int64_t frac = value % divisor;
  bool negative = value < 0;
  if (negative) {
    whole = -whole;
    frac = -frac;
  }
  return fmt::format_to_n(out, kMaxTimestampText, "{}{}.{:0{}}", negative ? "-" : "", whole, frac,
                          decimals)
      .size;
}

size_t write_int(int64_t value, char* out) {
  return fmt::format_to_n(out, kMaxTimestampText, "{}", value).size;
}

}  // namespace

size_t extract_field(TimeUnit unit, int64_t micros, char* out) {
  int64_t days = floor_div(micros, kMicrosPerDay);
  int64_t in_day = micros - days * kMicrosPerDay;
  CivilDate c = civil_from_days(days);
  int64_t dow = ((days + 4) % 7 + 7) % 7;  // 0 = Sunday; 1970-01-01 was a Thursday
  switch (unit) {
    case TimeUnit::kMicrosecond:
      return write_int(in_day % (60 * kMicrosPerSecond), out);
    case TimeUnit::kMillisecond:
      return write_scaled(in_day % (60 * kMicrosPerSecond), 1000, 3, out);
    case TimeUnit::kSecond:
      return write_scaled(in_day % (60 * kMicrosPerSecond), kMicrosPerSecond, 6, out);
    case TimeUnit::kMinute:
      return write_int(in_day / (60 * kMicrosPerSecond) % 60, out);
    case TimeUnit::kHour:
      return write_int(in_day / (3600 * kMicrosPerSecond), out);
    case TimeUnit::kDay:
      return write_int(c.day, out);
    case TimeUnit::kWeek: {
      // ISO week: the week with the year's first Thursday is week 1.
      int64_t thursday = days - (dow + 6) % 7 + 3;
      CivilDate tc = civil_from_days(thursday);
      return write_int((thursday - days_from_civil(tc.year, 1, 1)) / 7 + 1, out);
    }
    case TimeUnit::kMonth:
      return write_int(c.month, out);
    case TimeUnit::kQuarter:
      return write_int((c.month - 1) / 3 + 1, out);
    case TimeUnit::kYear:
      return write_int(c.year, out);
    case TimeUnit::kDecade:
      return write_int(floor_div(c.year, 10), out);
    case TimeUnit::kCentury:
      return write_int(c.year > 0 ? (c.year + 99) / 100 : -((99 - (c.year - 1)) / 100), out);
    case TimeUnit::kMillennium:
      return write_int(c.year > 0 ? (c.year + 999) / 1000 : -((999 - (c.year - 1)) / 1000), out);
    case TimeUnit::kDow:
      return write_int(dow, out);
    case TimeUnit::kIsoDow:
      return write_int(dow == 0 ? 7 : dow, out);
    case TimeUnit::kDoy:
      return write_int(days - days_from_civil(c.year, 1, 1) + 1, out);
    case TimeUnit::kEpoch:
      return write_scaled(micros, kMicrosPerSecond, 6, out);
  }
  return 0;
}

}  // namespace sluice::transform
