#include "copytext/copy_text_parser.hpp"

#include "core/error.hpp"

namespace sluice {
namespace {

char unescape(char c) {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'v':
      return '\v';
    case '\\':
      return '\\';
    default:
      return c;
  }
}

void append_field(Row& row, std::string_view field) {
  if (field == "\\N") {
    row.append_null();
    return;
  }
  if (field.find('\\') == std::string_view::npos) {
    row.append(field);
    return;
  }
  row.begin_value();
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      row.append_char(field[i]);
    } else if (i + 1 < field.size()) {
      row.append_char(unescape(field[++i]));
    } else {
      throw FatalError("COPY text: backslash at the end of a field");
    }
  }
}

}  // namespace

bool CopyTextParser::next(Row& row) {
  if (rest_.empty()) return false;
  size_t end = rest_.find('\n');
  std::string_view line = rest_.substr(0, end);
  rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
  row.clear();
  while (true) {
    size_t tab = line.find('\t');
    append_field(row, line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line = line.substr(tab + 1);
  }
  return true;
}

}  // namespace sluice
