#include "config/env_substitution.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "core/error.hpp"

namespace sluice {

std::string substitute_environment(const std::string& text, const std::string& file) {
  std::string out;
  out.reserve(text.size());
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '\n') ++line;
    if (ch == '$' && text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 2;
      continue;
    }
    if (ch != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out += ch;
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string::npos || text.find('\n', i) < close)
      throw ConfigError(fmt::format("{}:{}: unterminated ${{ in value", file, line));
    std::string name = text.substr(i + 2, close - i - 2);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr)
      throw ConfigError(fmt::format("{}:{}: environment variable {} is not set", file, line, name));
    out += value;
    i = close;
  }
  return out;
}

}  // namespace sluice
