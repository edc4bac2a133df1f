#include "source/mysql/binlog_ddl.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::mysql {
namespace {

// A forward-only tokenizer over SQL: words, quoted identifiers, punctuation; comments
// and whitespace skipped. The server executes what is inside /*!50700 ... */ (and
// MariaDB's /*M!100500 ... */), so only those markers are skipped, not their text.
class Tokens {
 public:
  explicit Tokens(std::string_view sql) : sql_(sql) {}

  // The next token; identifiers in backticks come back without them, string literals
  // whole with their quotes (so that neither is taken for a keyword).
  std::optional<std::string> next() {
    skip_space();
    identifier_ = false;
    if (pos_ >= sql_.size()) return std::nullopt;
    char c = sql_[pos_];
    if (c == '`') {
      identifier_ = true;
      return quoted('`');
    }
    if (c == '\'' || c == '"') return std::string(1, c) + quoted(c);
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
    int comments = open_executable_comments_;
    bool identifier = identifier_;
    auto token = next();
    pos_ = saved;
    open_executable_comments_ = comments;
    identifier_ = identifier;
    return token;
  }

  // The last token was a backquoted identifier.
  bool was_identifier() const { return identifier_; }

 private:
  // Up to the closing `quote` (doubled inside; a backslash escapes in string literals).
  std::string quoted(char quote) {
    std::string out;
    for (++pos_; pos_ < sql_.size(); ++pos_) {
      if (quote != '`' && sql_[pos_] == '\\' && pos_ + 1 < sql_.size()) {
        out.push_back(sql_[++pos_]);
        continue;
      }
      if (sql_[pos_] == quote) {
        if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == quote) {
          out.push_back(quote);
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
      } else if (executable_comment_start()) {
        ++open_executable_comments_;
      } else if (open_executable_comments_ > 0 && sql_.substr(pos_).starts_with("*/")) {
        --open_executable_comments_;
        pos_ += 2;
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

  // At "/*!" or "/*M!" and an optional version number: skips them.
  bool executable_comment_start() {
    std::string_view rest = sql_.substr(pos_);
    size_t marker = rest.starts_with("/*!") ? 3 : rest.starts_with("/*M!") ? 4 : 0;
    if (marker == 0) return false;
    pos_ += marker;
    while (pos_ < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
    return true;
  }

  std::string_view sql_;
  size_t pos_ = 0;
  int open_executable_comments_ = 0;
  bool identifier_ = false;
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

bool is_punctuation(const std::optional<std::string>& token, std::string_view mark) {
  return token && *token == mark;
}

// ALTER TABLE a ...: a change of shape, or with a RENAME [TO|AS] b clause (not RENAME
// COLUMN/INDEX/KEY) a rename.
std::optional<DdlStatement> parse_alter(Tokens& tokens, std::string_view default_database) {
  skip_words(tokens, {"ONLINE", "IGNORE"});
  if (!is_word(tokens.next(), "TABLE")) return std::nullopt;
  skip_words(tokens, {"IF", "EXISTS"});
  auto name = table_name(tokens, default_database);
  if (!name) return std::nullopt;
  DdlStatement ddl{.kind = DdlKind::kAlter, .tables = {*name}};
  int depth = 0;
  while (auto token = tokens.next()) {
    if (is_punctuation(token, "(")) ++depth;
    if (is_punctuation(token, ")")) --depth;
    if (depth != 0 || tokens.was_identifier() || !is_word(token, "RENAME")) continue;
    auto next = tokens.peek();
    if (is_word(next, "COLUMN") || is_word(next, "INDEX") || is_word(next, "KEY")) continue;
    skip_words(tokens, {"TO", "AS"});
    auto new_name = table_name(tokens, default_database);
    if (!new_name) return std::nullopt;
    ddl.kind = DdlKind::kRename;
    ddl.renamed_to = {*new_name};
  }
  return ddl;
}

// RENAME TABLE [IF EXISTS] a [WAIT n | NOWAIT] TO b, c TO d, ...
std::optional<DdlStatement> parse_rename(Tokens& tokens, std::string_view default_database) {
  auto keyword = tokens.next();
  if (!is_word(keyword, "TABLE") && !is_word(keyword, "TABLES")) return std::nullopt;
  skip_words(tokens, {"IF", "EXISTS"});
  DdlStatement ddl{.kind = DdlKind::kRename};
  while (auto from = table_name(tokens, default_database)) {
    if (is_word(tokens.peek(), "WAIT")) {
      tokens.next();
      tokens.next();
    }
    skip_words(tokens, {"NOWAIT"});
    if (!is_word(tokens.next(), "TO")) return std::nullopt;
    auto to = table_name(tokens, default_database);
    if (!to) return std::nullopt;
    ddl.tables.push_back(*from);
    ddl.renamed_to.push_back(*to);
    if (!is_punctuation(tokens.next(), ",")) break;
  }
  if (ddl.tables.empty()) return std::nullopt;
  return ddl;
}

}  // namespace

std::optional<DdlStatement> parse_ddl(std::string_view statement,
                                      std::string_view default_database) {
  Tokens tokens(statement);
  auto verb = tokens.next();
  if (is_word(verb, "ALTER")) return parse_alter(tokens, default_database);
  if (is_word(verb, "RENAME")) return parse_rename(tokens, default_database);
  DdlStatement ddl;
  if (is_word(verb, "TRUNCATE")) {
    skip_words(tokens, {"TABLE"});
    ddl.kind = DdlKind::kTruncate;
    auto name = table_name(tokens, default_database);
    if (!name) return std::nullopt;
    ddl.tables.push_back(*name);
    return ddl;
  }
  if (!is_word(verb, "DROP")) return std::nullopt;
  skip_words(tokens, {"TEMPORARY"});
  if (!is_word(tokens.next(), "TABLE")) return std::nullopt;
  skip_words(tokens, {"IF", "EXISTS"});
  ddl.kind = DdlKind::kDrop;
  // DROP TABLE a, b.
  while (auto name = table_name(tokens, default_database)) {
    ddl.tables.push_back(*name);
    if (tokens.next() != std::optional<std::string>(",")) break;
  }
  if (ddl.tables.empty()) return std::nullopt;
  return ddl;
}

std::map<std::string, std::string> tables_after_rename(const DdlStatement& rename) {
  std::map<std::string, std::string> origin_of;
  for (size_t i = 0; i < rename.tables.size() && i < rename.renamed_to.size(); ++i) {
    const std::string& from = rename.tables[i];
    auto held = origin_of.find(from);
    std::string origin = held == origin_of.end() ? from : held->second;
    origin_of[from] = "";
    origin_of[rename.renamed_to[i]] = origin;
  }
  return origin_of;
}

bool is_transaction_control(std::string_view statement) {
  Tokens tokens(statement);
  auto verb = tokens.next();
  return is_word(verb, "BEGIN") || is_word(verb, "COMMIT") || is_word(verb, "ROLLBACK") ||
         is_word(verb, "XA") || is_word(verb, "SAVEPOINT");
}

}  // namespace sluice::mysql
