#pragma once
// A table's snapshot rows one at a time, for consumers that need them field by field
// (multi-row INSERT, Redshift CSV, flow state) rather than as the source's COPY text.

#include "core/copy_text_parser.hpp"
#include "core/row.hpp"
#include "source/source.hpp"

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

}  // namespace sluice
