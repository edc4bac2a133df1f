#include "sink/postgres/insert_batcher.hpp"

#include <fmt/format.h>

namespace sluice::warehouse {

InsertBatcher::InsertBatcher(PgConnection& conn, std::string prefix, size_t columns)
    : conn_(conn), prefix_(std::move(prefix)), columns_(columns) {}

void InsertBatcher::value(std::string_view text) {
  values_.emplace_back(text);
  nulls_.push_back(false);
}

void InsertBatcher::null() {
  values_.emplace_back();
  nulls_.push_back(true);
}

void InsertBatcher::end_row() {
  try_end_row().value_or_raise();
}

void InsertBatcher::finish() {
  try_finish().value_or_raise();
}

Result<void> InsertBatcher::try_end_row() {
  ++rows_;
  if ((rows_ + 1) * columns_ > kMaxParameters) return send();
  return {};
}

Result<void> InsertBatcher::try_finish() {
  if (rows_ > 0) return send();
  return {};
}

Result<void> InsertBatcher::send() {
  std::string sql = prefix_;
  size_t parameter = 1;
  for (size_t r = 0; r < rows_; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (size_t c = 0; c < columns_; ++c)
      sql += fmt::format("{}${}", c == 0 ? "" : ", ", parameter++);
    sql += ")";
  }
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (size_t i = 0; i < values_.size(); ++i)
    pointers.push_back(nulls_[i] ? nullptr : values_[i].c_str());
  Result<void> sent = conn_.try_exec_params(sql, pointers);
  values_.clear();
  nulls_.clear();
  rows_ = 0;
  return sent;
}

}  // namespace sluice::warehouse
