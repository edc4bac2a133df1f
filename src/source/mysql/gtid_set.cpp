#include "source/mysql/gtid_set.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/error.hpp"
#include "source/mysql/binlog_byte_reader.hpp"

namespace sluice::mysql {
namespace {

constexpr size_t kUuidBytes = 16;

template <typename Int>
bool parse_number(std::string_view text, Int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return parts;
    text.remove_prefix(end + 1);
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string without_spaces(std::string_view text) {
  std::string out;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

// 8-4-4-4-12 hex digits.
bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// MySQL 8.4 tags: a letter or underscore, then letters, digits, underscores.
bool is_tag(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  if (!std::isalpha(static_cast<unsigned char>(text[0])) && text[0] != '_') return false;
  return std::ranges::all_of(text,
                             [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

[[noreturn]] void malformed(std::string_view flavor, std::string_view text) {
  throw ConfigError(fmt::format("malformed {} GTID set '{}'", flavor, text));
}

}  // namespace

MariaDbGtidSet MariaDbGtidSet::parse(std::string_view text) {
  MariaDbGtidSet set;
  std::string compact = without_spaces(text);
  if (compact.empty()) return set;
  for (std::string_view gtid : split(compact, ',')) {
    std::vector<std::string_view> parts = split(gtid, '-');
    uint32_t domain = 0;
    Last last;
    if (parts.size() != 3 || !parse_number(parts[0], domain) ||
        !parse_number(parts[1], last.server_id) || !parse_number(parts[2], last.sequence))
      malformed("MariaDB", text);
    set.by_domain_[domain] = last;
  }
  return set;
}

void MariaDbGtidSet::add(uint32_t domain, uint32_t server_id, uint64_t sequence) {
  by_domain_[domain] = Last{server_id, sequence};
}

bool MariaDbGtidSet::contains(const MariaDbGtidSet& other) const {
  return std::ranges::all_of(other.by_domain_, [&](const auto& entry) {
    auto it = by_domain_.find(entry.first);
    return it != by_domain_.end() && it->second.sequence >= entry.second.sequence;
  });
}

std::string MariaDbGtidSet::to_string() const {
  std::string out;
  for (const auto& [domain, last] : by_domain_) {
    if (!out.empty()) out += ",";
    out += fmt::format("{}-{}-{}", domain, last.server_id, last.sequence);
  }
  return out;
}

MySqlGtidSet MySqlGtidSet::parse(std::string_view text) {
  MySqlGtidSet set;
  std::string compact = without_spaces(text);
  if (compact.empty()) return set;
  for (std::string_view element : split(compact, ',')) {
    std::vector<std::string_view> parts = split(element, ':');
    if (parts.size() < 2 || !is_uuid(parts[0])) malformed("MySQL", text);
    std::string uuid = lower(parts[0]);
    std::string source = uuid;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (is_tag(parts[i])) {
        source = uuid + ":" + lower(parts[i]);
        continue;
      }
      std::vector<std::string_view> bounds = split(parts[i], '-');
      Interval interval;
      if (bounds.size() > 2 || !parse_number(bounds[0], interval.first) ||
          (bounds.size() == 2 && !parse_number(bounds[1], interval.last)))
        malformed("MySQL", text);
      if (bounds.size() == 1) interval.last = interval.first;
      if (interval.first == 0 || interval.last < interval.first) malformed("MySQL", text);
      set.add(source, interval);
    }
  }
  return set;
}

void MySqlGtidSet::add(const std::string& uuid, uint64_t gno) {
  add(uuid, Interval{gno, gno});
}

void MySqlGtidSet::add(const std::string& source, Interval interval) {
  std::vector<Interval>& intervals = intervals_[source];
  auto at = std::ranges::lower_bound(intervals, interval.first, {}, &Interval::first);
  at = intervals.insert(at, interval);
  // Merge with the neighbour before, then swallow every later interval that touches.
  if (at != intervals.begin() && std::prev(at)->last + 1 >= at->first) {
    std::prev(at)->last = std::max(std::prev(at)->last, at->last);
    at = std::prev(intervals.erase(at));
  }
  auto next = std::next(at);
  while (next != intervals.end() && at->last + 1 >= next->first) {
    at->last = std::max(at->last, next->last);
    next = intervals.erase(next);
  }
}

bool MySqlGtidSet::contains(const MySqlGtidSet& other) const {
  return std::ranges::all_of(other.intervals_, [&](const auto& entry) {
    auto it = intervals_.find(entry.first);
    return std::ranges::all_of(entry.second, [&](const Interval& wanted) {
      return it != intervals_.end() && std::ranges::any_of(it->second, [&](const Interval& have) {
               return have.first <= wanted.first && wanted.last <= have.last;
             });
    });
  });
}

std::string MySqlGtidSet::to_string() const {
  std::string out;
  for (const auto& [source, intervals] : intervals_) {
    if (intervals.empty()) continue;
    if (!out.empty()) out += ",";
    out += source;
    for (const Interval& interval : intervals) {
      out += fmt::format(":{}", interval.first);
      if (interval.last != interval.first) out += fmt::format("-{}", interval.last);
    }
  }
  return out;
}

MySqlGtid parse_mysql_gtid_event(std::span<const uint8_t> body) {
  detail::ByteReader in(body);
  in.skip(1);  // flags (may-have-SBR)
  std::span<const uint8_t> sid = in.bytes(kUuidBytes);
  MySqlGtid gtid;
  for (size_t i = 0; i < sid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) gtid.uuid += '-';
    gtid.uuid += fmt::format("{:02x}", sid[i]);
  }
  gtid.gno = in.le(8);
  return gtid;
}

GtidSet::GtidSet(BinlogFlavor flavor, std::string_view text) {
  if (flavor == BinlogFlavor::kMariaDb)
    set_ = MariaDbGtidSet::parse(text);
  else
    set_ = MySqlGtidSet::parse(text);
}

bool GtidSet::contains(const GtidSet& other) const {
  if (set_.index() != other.set_.index()) return false;
  if (const auto* mariadb = std::get_if<MariaDbGtidSet>(&set_))
    return mariadb->contains(std::get<MariaDbGtidSet>(other.set_));
  return std::get<MySqlGtidSet>(set_).contains(std::get<MySqlGtidSet>(other.set_));
}

std::string GtidSet::to_string() const {
  return std::visit([](const auto& set) { return set.to_string(); }, set_);
}

}  // namespace sluice::mysql
