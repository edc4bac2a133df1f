#pragma once
// Loads rows with multi-row INSERT ... VALUES ($1, ...), (...) statements, for warehouses
// without COPY FROM STDIN. Values travel as bound text parameters, so nothing is quoted
// or escaped; a statement carries at most kMaxParameters values.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice::warehouse {

class InsertBatcher {
 public:
  // `prefix` is "INSERT INTO t (a, b) VALUES "; every row has `columns` values.
  InsertBatcher(PgConnection& conn, std::string prefix, size_t columns);

  void begin_row() {}
  void value(std::string_view text);
  void null();
  void end_row();
  // Sends the rows not sent yet.
  void finish();
  // end_row() and finish() for a caller that acts on a failed INSERT.
  Result<void> try_end_row();
  Result<void> try_finish();

 private:
  Result<void> send();

  static constexpr size_t kMaxParameters = 32000;
  PgConnection& conn_;
  std::string prefix_;
  size_t columns_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  size_t rows_ = 0;
};

}  // namespace sluice::warehouse
