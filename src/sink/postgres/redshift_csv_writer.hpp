#pragma once
// Encodes staging rows as CSV for Redshift's COPY ... FORMAT AS CSV NULL AS '\000'. Every
// value is quoted (embedded quotes doubled), so tabs, commas, newlines and backslashes
// travel as they are and an empty string is "", while NULL is a lone unquoted NUL byte,
// which no value can contain: PostgreSQL text cannot hold one and Redshift rejects it.
// https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/row.hpp"
#include "core/schema.hpp"

namespace sluice::warehouse {

inline void append_csv_quoted(std::string& out, std::string_view value) {
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '"') continue;
    out.append(value.data() + run, i + 1 - run);
    out.push_back('"');
    run = i + 1;
  }
  out.append(value.data() + run, value.size() - run);
  out.push_back('"');
}

inline void append_csv_null(std::string& out) {
  out.push_back('\0');
}

// Rows in the staging layout (sluice_seq, sluice_op, sluice_unchanged, sluice_fill_seq,
// then the table's columns) or, for snapshots, the target layout (the table's columns only).
// Redshift reads VARBYTE from CSV as bare hex, so bytea's \x prefix is dropped.
class RedshiftCsvWriter {
 public:
  explicit RedshiftCsvWriter(const TableSchema& table) {
    for (const Column& c : table.columns) hex_bytes_.push_back(c.warehouse_type == "bytea");
  }
  // A staging row.
  void begin_row(uint64_t seq, char op) {
    buffer.append(std::to_string(seq));
    buffer.push_back(',');
    buffer.push_back(op);
    column_ = 0;
    target_row_ = false;
  }
  // A target row: its first value has no separator before it.
  void begin_row() {
    column_ = 0;
    target_row_ = true;
  }
  void unchanged_marks(const Row* row) {
    buffer.push_back(',');
    if (row == nullptr) {
      append_csv_null(buffer);
      return;
    }
    std::string marks;
    for (size_t i = 0; i < row->size(); ++i) marks.push_back(row->is_unchanged(i) ? 'u' : '-');
    append_csv_quoted(buffer, marks);
  }
  void fill_seq(uint64_t seq) {
    buffer.push_back(',');
    if (seq == 0)
      append_csv_null(buffer);
    else
      buffer.append(std::to_string(seq));
  }
  void value(std::string_view text) {
    separate();
    if (hex_bytes_[column_++] && text.starts_with("\\x")) text.remove_prefix(2);
    append_csv_quoted(buffer, text);
  }
  void null() {
    separate();
    append_csv_null(buffer);
    ++column_;
  }
  void end_row() { buffer.push_back('\n'); }

  std::string buffer;

 private:
  // Staging rows always begin with their seq and op; target rows begin with a value.
  void separate() {
    if (column_ > 0 || !target_row_) buffer.push_back(',');
  }

  std::vector<bool> hex_bytes_;
  size_t column_ = 0;
  bool target_row_ = false;
};

}  // namespace sluice::warehouse
