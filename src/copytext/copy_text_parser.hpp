#pragma once
// Reads PostgreSQL COPY text format (the canonical row form sources produce) back into
// rows: tab-separated fields, \N for null, backslash escapes.

#include <string_view>

#include "core/row.hpp"

namespace sluice {

// Splits COPY text chunks (whole lines) into rows, reusing one Row.
class CopyTextParser {
 public:
  explicit CopyTextParser(std::string_view chunk) : rest_(chunk) {}
  // Fills `row` with the next line's fields; false at the end of the chunk.
  // Throws FatalError on a malformed escape.
  bool next(Row& row);

 private:
  std::string_view rest_;
};

}  // namespace sluice
