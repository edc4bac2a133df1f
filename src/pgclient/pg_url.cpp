#include "pgclient/pg_url.hpp"

#include <cctype>

namespace sluice {
namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

bool starts_escape(std::string_view text, size_t at) {
  return at + 2 < text.size() && is_hex(text[at + 1]) && is_hex(text[at + 2]);
}

}  // namespace

std::string libpq_url(std::string_view url) {
  size_t authority = 0;
  for (std::string_view scheme : {"postgresql://", "postgres://"})
    if (url.starts_with(scheme)) authority = scheme.size();
  if (authority == 0) return std::string(url);
  size_t at = url.substr(0, url.find('?')).rfind('@');
  if (at == std::string_view::npos || at < authority) return std::string(url);
  std::string out(url.substr(0, authority));
  for (size_t i = authority; i < at; ++i) {
    char c = url[i];
    if (c == '@')
      out += "%40";
    else if (c == '/')
      out += "%2F";
    else if (c == '%' && !starts_escape(url, i))
      out += "%25";
    else
      out.push_back(c);
  }
  out += url.substr(at);
  return out;
}

}  // namespace sluice
