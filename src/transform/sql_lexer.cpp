#include "transform/sql_lexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace sluice::transform {

void throw_at(SourcePos pos, std::string_view message) {
  throw ConfigError(fmt::format("line {}, column {}: {}", pos.line, pos.column, message));
}

namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_ident_char(char c) {
  return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
}

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

class Lexer {
 public:
  Lexer(std::string_view sql, int base_line) : sql_(sql), line_(base_line) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (skip_space_and_comments()) tokens.push_back(next());
    tokens.push_back(Token{TokenKind::kEnd, "", here()});
    return tokens;
  }

 private:
  SourcePos here() const { return {line_, static_cast<int>(i_ - line_start_) + 1}; }
  char peek(size_t ahead = 0) const { return i_ + ahead < sql_.size() ? sql_[i_ + ahead] : '\0'; }

  void advance() {
    if (sql_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  // Returns false at the end of the text.
  bool skip_space_and_comments() {
    while (i_ < sql_.size()) {
      char c = sql_[i_];
      if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        advance();
      } else if (c == '-' && peek(1) == '-') {
        while (i_ < sql_.size() && sql_[i_] != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        skip_block_comment();
      } else {
        return true;
      }
    }
    return false;
  }

  void skip_block_comment() {
    SourcePos start = here();
    advance();
    advance();
    while (i_ < sql_.size() && !(sql_[i_] == '*' && peek(1) == '/')) advance();
    if (i_ >= sql_.size()) throw_at(start, "unterminated /* comment");
    advance();
    advance();
  }

  Token next() {
    char c = sql_[i_];
    if (is_ident_start(c)) return identifier();
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number();
    if (c == '\'') return quoted('\'', TokenKind::kString, "string literal");
    if (c == '"') return quoted('"', TokenKind::kQuotedIdentifier, "quoted identifier");
    return symbol();
  }

  Token identifier() {
    Token t{TokenKind::kIdentifier, "", here()};
    while (i_ < sql_.size() && is_ident_char(sql_[i_])) {
      t.text.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql_[i_]))));
      advance();
    }
    return t;
  }

  Token number() {
    Token t{TokenKind::kNumber, "", here()};
    while (is_digit(peek()) || peek() == '.') t.text.push_back(take());
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      t.text.push_back(take());
      t.text.push_back(take());
      while (is_digit(peek())) t.text.push_back(take());
    }
    if (std::count(t.text.begin(), t.text.end(), '.') > 1)
      throw_at(t.pos, fmt::format("malformed number '{}'", t.text));
    if (is_ident_start(peek()))
      throw_at(here(), "a number must be followed by a space or an operator");
    return t;
  }

  char take() {
    char c = sql_[i_];
    advance();
    return c;
  }

  // Both quote styles escape their quote character by doubling it.
  Token quoted(char quote, TokenKind kind, std::string_view what) {
    Token t{kind, "", here()};
    advance();
    for (;;) {
      if (i_ >= sql_.size()) throw_at(t.pos, fmt::format("unterminated {}", what));
      char c = take();
      if (c != quote) {
        t.text.push_back(c);
      } else if (peek() == quote) {
        t.text.push_back(take());
      } else {
        break;
      }
    }
    if (kind == TokenKind::kQuotedIdentifier && t.text.empty())
      throw_at(t.pos, "empty quoted identifier");
    return t;
  }

  Token symbol() {
    static constexpr std::string_view kTwoChar[] = {"||", "<>", "!=", "<=", ">=", "::", "=>"};
    SourcePos pos = here();
    std::string_view rest = sql_.substr(i_);
    // Built whole rather than assigned into: GCC 12 at -O3 reports a false -Wrestrict
    // for a string_view assigned into a token's string.
    for (std::string_view two : kTwoChar) {
      if (rest.starts_with(two)) {
        advance();
        advance();
        return Token{TokenKind::kSymbol, std::string(two), pos};
      }
    }
    static constexpr std::string_view kOneChar = "(),.*+-/%=<>;";
    if (kOneChar.find(rest[0]) == std::string_view::npos)
      throw_at(pos, fmt::format("unexpected character '{}'", rest[0]));
    return Token{TokenKind::kSymbol, std::string(1, take()), pos};
  }

  std::string_view sql_;
  size_t i_ = 0;
  int line_;
  size_t line_start_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view sql, int base_line) {
  return Lexer(sql, base_line).run();
}

}  // namespace sluice::transform
