#pragma once
// A table's rows as PostgreSQL COPY text, the canonical form sources produce for a
// snapshot and sinks load: tab-separated fields, \N for null, backslash escapes.

#include <optional>
#include <string_view>

namespace sluice {

// Rows of one table in COPY text format, a chunk of whole lines at a time.
class CopyTextReader {
 public:
  virtual ~CopyTextReader() = default;
  // The next chunk, or nullopt at the end of the table.
  virtual std::optional<std::string_view> next_chunk() = 0;
};

}  // namespace sluice
