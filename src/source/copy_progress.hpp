#pragma once
// The log lines of one table's copy: rows so far and their rate every few seconds, and
// the total when the table is done, the same for every source.

#include <chrono>
#include <cstdint>
#include <string>

namespace sluice {

class CopyProgress {
 public:
  explicit CopyProgress(std::string table_name) : table_name_(std::move(table_name)) {}

  void count_row() { ++rows_; }
  // Logs when the last line is some seconds old; `done` logs the total at once.
  void report(bool done);

 private:
  std::string table_name_;
  uint64_t rows_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_report_ = started_;
};

}  // namespace sluice
