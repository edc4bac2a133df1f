#pragma once
// Snapshot rows for warehouses that take them field by field (multi-row INSERT, Redshift
// CSV) rather than as the source's COPY text.

#include "core/row.hpp"
#include "source/copy_rows.hpp"

namespace sluice::warehouse {

// Writes `row` through a writer with begin_row(), value(text) or null() per field, and
// end_row(): InsertBatcher, RedshiftCsvWriter.
template <typename Writer>
void write_snapshot_row(const Row& row, Writer& writer) {
  writer.begin_row();
  for (size_t i = 0; i < row.size(); ++i) {
    if (row.is_null(i))
      writer.null();
    else
      writer.value(row.text(i));
  }
  writer.end_row();
}

}  // namespace sluice::warehouse
