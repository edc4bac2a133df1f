#pragma once
// Tokens of the flow SQL subset. Positions are reported against the pipeline file, so a
// typo points at the line the user edits, not at a line inside the SQL text.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::transform {

struct SourcePos {
  int line = 0;
  int column = 0;
};

// Throws ConfigError "line L, column C: message".
[[noreturn]] void throw_at(SourcePos pos, std::string_view message);

enum class TokenKind : uint8_t {
  kIdentifier,        // bare word (keywords included; compare with is_keyword)
  kQuotedIdentifier,  // "Name": case kept, never a keyword
  kString,            // 'text' with '' unescaped
  kNumber,
  kSymbol,  // punctuation and operators: ( ) , . * + - / % || = <> != < <= > >= :: =>
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // identifiers lowercased; strings unescaped; symbols as written
  SourcePos pos;
};

// Splits `sql` into tokens ending with one kEnd token. `base_line` is the file line of
// the first SQL line. Comments (-- and /* */) are skipped.
std::vector<Token> tokenize(std::string_view sql, int base_line);

}  // namespace sluice::transform
