#pragma once
// A table's COPY text rows one at a time, for consumers that take them field by field
// (multi-row INSERT, Redshift CSV, flow state) rather than as COPY text.

#include "copytext/copy_text_parser.hpp"
#include "copytext/copy_text_reader.hpp"
#include "core/row.hpp"

namespace sluice {

// Calls `on_row` with each row of `rows`, parsed into one reused Row.
template <typename OnRow>
void for_each_copy_row(CopyTextReader& rows, OnRow&& on_row) {
  Row row;
  while (std::optional<std::string_view> chunk = rows.next_chunk()) {
    CopyTextParser parser(*chunk);
    while (parser.next(row)) on_row(row);
  }
}

// Writes `row` through a writer with begin_row(), value(text) or null() per field, and
// end_row(): InsertBatcher, RedshiftCsvWriter.
template <typename Writer>
void write_row_fields(const Row& row, Writer& writer) {
  writer.begin_row();
  for (size_t i = 0; i < row.size(); ++i) {
    if (row.is_null(i))
      writer.null();
    else
      writer.value(row.text(i));
  }
  writer.end_row();
}

}  // namespace sluice
