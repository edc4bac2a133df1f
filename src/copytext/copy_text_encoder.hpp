#pragma once
// Encodes rows in PostgreSQL's COPY text format: tab-separated, \N for null, and
// backslash escapes for backslash, tab, newline and carriage return.

#include <string>
#include <string_view>

namespace sluice {

inline void append_copy_escaped(std::string& out, std::string_view value) {
  size_t run = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    const char* escape = nullptr;
    switch (c) {
      case '\\':
        escape = "\\\\";
        break;
      case '\t':
        escape = "\\t";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      default:
        continue;
    }
    out.append(value.data() + run, i - run);
    out.append(escape, 2);
    run = i + 1;
  }
  out.append(value.data() + run, value.size() - run);
}

inline void append_copy_null(std::string& out) {
  out.append("\\N", 2);
}

}  // namespace sluice
