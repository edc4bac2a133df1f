#include "source/mysql/binlog_ddl.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::mysql {
namespace {

// A forward-only tokenizer over SQL: words, quoted identifiers, punctuation; comments
// and whitespace skipped.
class Tokens {
 public:
  explicit Tokens(std::string_view sql) : sql_(sql) {}

  // The next token; identifiers in backticks come back without them.
  std::optional<std::string> next() {
    skip_space();
    if (pos_ >= sql_.size()) return std::nullopt;
    char c = sql_[pos_];
    if (c == '`') return quoted();
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      size_t start = pos_;
      while (pos_ < sql_.size() && (std::isalnum(static_cast<unsigned char>(sql_[pos_])) ||
                                    sql_[pos_] == '_' || sql_[pos_] == '$'))
        ++pos_;
      return std::string(sql_.substr(start, pos_ - start));
    }
    ++pos_;
    return std::string(1, c);
  }

  std::optional<std::string> peek() {
    size_t saved = pos_;
    auto token = next();
    pos_ = saved;
    return token;
  }

 private:
  std::string quoted() {
    std::string out;
    for (++pos_; pos_ < sql_.size(); ++pos_) {
      if (sql_[pos_] == '`') {
        if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == '`') {
          out.push_back('`');
          ++pos_;
          continue;
        }
        ++pos_;
        break;
      }
      out.push_back(sql_[pos_]);
    }
    return out;
  }

  void skip_space() {
    while (pos_ < sql_.size()) {
      if (std::isspace(static_cast<unsigned char>(sql_[pos_]))) {
        ++pos_;
      } else if (sql_.substr(pos_).starts_with("/*")) {
        size_t end = sql_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? sql_.size() : end + 2;
      } else if (sql_.substr(pos_).starts_with("-- ") || sql_[pos_] == '#') {
        size_t end = sql_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? sql_.size() : end + 1;
      } else {
        return;
      }
    }
  }

  std::string_view sql_;
  size_t pos_ = 0;
};

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

bool is_word(const std::optional<std::string>& token, std::string_view word) {
  return token && upper(*token) == word;
}

// Skips any of the given optional words ("ONLINE", "IGNORE", "IF EXISTS", ...).
void skip_words(Tokens& tokens, std::initializer_list<std::string_view> words) {
  while (true) {
    auto token = tokens.peek();
    if (!token) return;
    std::string word = upper(*token);
    if (std::find(words.begin(), words.end(), word) == words.end()) return;
    tokens.next();
  }
}

std::optional<std::string> table_name(Tokens& tokens, std::string_view default_database) {
  auto first = tokens.next();
  if (!first) return std::nullopt;
  if (tokens.peek() == std::optional<std::string>(".")) {
    tokens.next();
    auto second = tokens.next();
    if (!second) return std::nullopt;
    return *first + "." + *second;
  }
  return std::string(default_database) + "." + *first;
}

}  // namespace

std::optional<DdlStatement> parse_ddl(std::string_view statement,
                                      std::string_view default_database) {
  Tokens tokens(statement);
  auto verb = tokens.next();
  DdlStatement ddl;
  if (is_word(verb, "ALTER")) {
    skip_words(tokens, {"ONLINE", "IGNORE"});
    if (!is_word(tokens.next(), "TABLE")) return std::nullopt;
    skip_words(tokens, {"IF", "EXISTS"});
    ddl.kind = DdlKind::kAlter;
  } else if (is_word(verb, "TRUNCATE")) {
    skip_words(tokens, {"TABLE"});
    ddl.kind = DdlKind::kTruncate;
  } else if (is_word(verb, "DROP")) {
    skip_words(tokens, {"TEMPORARY"});
    if (!is_word(tokens.next(), "TABLE")) return std::nullopt;
    skip_words(tokens, {"IF", "EXISTS"});
    ddl.kind = DdlKind::kDrop;
  } else if (is_word(verb, "RENAME")) {
    if (!is_word(tokens.next(), "TABLE")) return std::nullopt;
    ddl.kind = DdlKind::kRename;
  } else {
    return std::nullopt;
  }
  while (auto name = table_name(tokens, default_database)) {
    ddl.tables.push_back(*name);
    if (ddl.kind == DdlKind::kAlter || ddl.kind == DdlKind::kTruncate) break;
    // DROP TABLE a, b; RENAME TABLE a TO b, c TO d.
    auto separator = tokens.next();
    if (ddl.kind == DdlKind::kRename && is_word(separator, "TO")) {
      table_name(tokens, default_database);
      separator = tokens.next();
    }
    if (separator != std::optional<std::string>(",")) break;
  }
  if (ddl.tables.empty()) return std::nullopt;
  return ddl;
}

bool is_transaction_control(std::string_view statement) {
  Tokens tokens(statement);
  auto verb = tokens.next();
  return is_word(verb, "BEGIN") || is_word(verb, "COMMIT") || is_word(verb, "ROLLBACK") ||
         is_word(verb, "XA") || is_word(verb, "SAVEPOINT");
}

}  // namespace sluice::mysql
