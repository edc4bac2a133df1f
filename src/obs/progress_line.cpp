#include "obs/progress_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace sluice::obs {
namespace {

constexpr size_t kMaxBarWidth = 30;
constexpr size_t kMinBarWidth = 10;

std::string bar(double fraction, size_t width) {
  auto filled = static_cast<size_t>(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(width));
  std::string out(1, '[');
  out.append(filled, '#');
  out.append(width - filled, '-');
  out.push_back(']');
  return out;
}

std::string cut(std::string line, size_t width) {
  // One column short of the width: a line that fills the terminal wraps on some.
  if (width > 0 && line.size() >= width) line.resize(width - 1);
  return line;
}

}  // namespace

SnapshotProgress sum_snapshot_progress(const std::vector<TableSnapshotProgress>& tables) {
  SnapshotProgress sum;
  sum.tables = tables.size();
  for (const TableSnapshotProgress& table : tables) {
    sum.copied += table.copied;
    if (table.done) {
      ++sum.tables_done;
      sum.expected += table.copied;
      continue;
    }
    if (table.estimated == 0) sum.expected_known = false;
    sum.expected += std::max(table.estimated, table.copied);
  }
  return sum;
}

std::string snapshot_line(const SnapshotProgress& progress, double rows_per_second, size_t width) {
  bool all_done = progress.tables > 0 && progress.tables_done == progress.tables;
  std::string figures;
  double fraction = 0;
  if (progress.expected_known && progress.expected > 0) {
    fraction = static_cast<double>(progress.copied) / static_cast<double>(progress.expected);
    // An estimate can be short: the bar stops at 99% until every table is done.
    if (!all_done) fraction = std::min(fraction, 0.99);
    figures = fmt::format("{:3.0f}%  {}/{} rows", std::floor(fraction * 100),
                          human_count(static_cast<double>(progress.copied)),
                          human_count(static_cast<double>(progress.expected)));
  } else {
    figures = fmt::format("{} rows", human_count(static_cast<double>(progress.copied)));
  }
  figures += fmt::format("  {} rows/s", human_count(rows_per_second));
  if (progress.expected_known && !all_done && rows_per_second > 0) {
    double remaining = static_cast<double>(progress.expected - progress.copied);
    figures += "  ETA " + human_duration(remaining / rows_per_second);
  }
  figures += fmt::format("  {}/{} tables", progress.tables_done, progress.tables);
  std::string head = "snapshot ";
  size_t room =
      width > head.size() + figures.size() + 4 ? width - head.size() - figures.size() - 4 : 0;
  if (progress.expected_known && progress.expected > 0 && room >= kMinBarWidth)
    head += bar(fraction, std::min(room, kMaxBarWidth)) + " ";
  return cut(head + figures, width);
}

std::string streaming_line(const StreamingProgress& progress, size_t width) {
  std::string line;
  switch (progress.state) {
    case PipelineState::kRetrying:
      line = "retrying  " + progress.last_error;
      break;
    case PipelineState::kStarting:
      line = "starting";
      break;
    case PipelineState::kSnapshot:
    case PipelineState::kStreaming:
      line = fmt::format("streaming  {} rows/s  in {}  out {}  lag {:.2f} s",
                         human_count(progress.rows_per_second),
                         human_count(static_cast<double>(progress.rows_in)),
                         human_count(static_cast<double>(progress.rows_out)), progress.lag_seconds);
      if (!progress.applied_position.empty()) line += "  at " + progress.applied_position;
      break;
  }
  std::replace(line.begin(), line.end(), '\n', ' ');
  return cut(std::move(line), width);
}

std::string human_count(double count) {
  static constexpr const char* kSuffixes[] = {"", "k", "M", "G", "T"};
  size_t unit = 0;
  while (std::round(count) >= 1000 && unit + 1 < std::size(kSuffixes)) {
    count /= 1000;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f}", count);
  if (count < 9.995) return fmt::format("{:.2f}{}", count, kSuffixes[unit]);
  if (count < 99.95) return fmt::format("{:.1f}{}", count, kSuffixes[unit]);
  return fmt::format("{:.0f}{}", count, kSuffixes[unit]);
}

std::string human_duration(double seconds) {
  auto total = static_cast<uint64_t>(std::ceil(std::max(seconds, 0.0)));
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
}

void RateWindow::add(Clock::time_point at, uint64_t total) {
  samples_.emplace_back(at, total);
  while (samples_.size() > 2 && at - samples_[1].first >= span_) samples_.pop_front();
}

double RateWindow::per_second() const {
  if (samples_.size() < 2) return 0;
  double seconds =
      std::chrono::duration<double>(samples_.back().first - samples_.front().first).count();
  if (seconds < 0.2 || samples_.back().second < samples_.front().second) return 0;
  return static_cast<double>(samples_.back().second - samples_.front().second) / seconds;
}

}  // namespace sluice::obs
