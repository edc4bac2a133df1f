#pragma once
// The inside of a JSON string, escaped as PostgreSQL's json output escapes it: quote,
// backslash and \b \f \n \r \t by name, the other control characters as \u00xx, every
// other byte (UTF-8 included) as it is. Header-only: the binlog's JSON decoder and the
// Kafka codec escape every value with it.

#include <string_view>

namespace sluice {

// `Buffer`: anything with push_back(char) and append(const char*, const char*), such as
// std::string or fmt's memory buffer.
template <typename Buffer>
void append_json_escaped(std::string_view text, Buffer& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    char named = 0;
    switch (c) {
      case '"':
        named = '"';
        break;
      case '\\':
        named = '\\';
        break;
      case '\b':
        named = 'b';
        break;
      case '\f':
        named = 'f';
        break;
      case '\n':
        named = 'n';
        break;
      case '\r':
        named = 'r';
        break;
      case '\t':
        named = 't';
        break;
      default:
        break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (named != 0) {
      const char escape[] = {'\\', named};
      out.append(escape, escape + sizeof escape);
    } else if (byte < 0x20) {
      const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 15]};
      out.append(escape, escape + sizeof escape);
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace sluice
