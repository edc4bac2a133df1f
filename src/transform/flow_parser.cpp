#include "transform/flow_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace sluice::transform {
namespace {

// Words that cannot be an implicit alias, so `FROM t LEFT JOIN` never reads LEFT as t's
// alias. Quote them to use them as names.
constexpr std::array kReserved = {
    "select", "from",      "where", "join",   "left",    "right",   "full",      "inner",
    "outer",  "cross",     "on",    "and",    "or",      "not",     "as",        "case",
    "when",   "then",      "else",  "end",    "is",      "null",    "true",      "false",
    "group",  "order",     "union", "having", "limit",   "offset",  "intersect", "except",
    "window", "distinct",  "with",  "fetch",  "using",   "natural", "lateral",   "over",
    "in",     "between",   "like",  "ilike",  "similar", "all",     "any",       "some",
    "exists", "returning", "into",  "for",    "escape",
};

bool is_reserved(std::string_view word) {
  return std::ranges::find(kReserved, word) != kReserved.end();
}

// Clauses of full SQL that a flow refuses after the FROM part.
constexpr std::array kTrailingClauses = {"group",  "order",  "union",     "having",
                                         "limit",  "offset", "intersect", "except",
                                         "window", "fetch",  "for"};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  FlowQuery query() {
    if (is_word("with")) refuse(peek(), "WITH (common table expressions) is not supported");
    expect_word("select", "a flow starts with SELECT");
    FlowQuery q;
    if (is_word("distinct")) refuse(peek(), "SELECT DISTINCT is not supported");
    if (is_word("all")) next();
    do {
      q.items.push_back(select_item());
    } while (accept_symbol(","));
    expect_word("from", "expected FROM after the SELECT list");
    q.from = table_ref();
    if (is_symbol(",")) refuse(peek(), "comma joins are not supported; use LEFT JOIN ... ON");
    while (starts_join()) q.joins.push_back(join());
    if (accept_word("where")) q.where = expression();
    accept_symbol(";");
    if (peek().kind != TokenKind::kEnd) refuse_trailing(peek());
    return q;
  }

  AstPtr lone_expression() {
    AstPtr e = expression();
    if (peek().kind != TokenKind::kEnd) throw_at(peek().pos, "unexpected text after expression");
    return e;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(i_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& t = tokens_[i_];
    if (i_ + 1 < tokens_.size()) ++i_;
    return t;
  }
  bool is_word(std::string_view w, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::kIdentifier && peek(ahead).text == w;
  }
  bool is_symbol(std::string_view s) const {
    return peek().kind == TokenKind::kSymbol && peek().text == s;
  }
  bool accept_word(std::string_view w) {
    if (!is_word(w)) return false;
    next();
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (!is_symbol(s)) return false;
    next();
    return true;
  }
  void expect_word(std::string_view w, std::string_view message) {
    if (!accept_word(w)) throw_at(peek().pos, message);
  }
  void expect_symbol(std::string_view s) {
    if (!accept_symbol(s)) throw_at(peek().pos, fmt::format("expected '{}'{}", s, found()));
  }
  std::string found() const {
    const Token& t = peek();
    if (t.kind == TokenKind::kEnd) return " at the end of the query";
    return fmt::format(", found '{}'", t.text);
  }
  [[noreturn]] void refuse(const Token& t, std::string_view what) {
    throw_at(t.pos, fmt::format("{}; {}", what, kSupportedSubset));
  }

  [[noreturn]] void refuse_trailing(const Token& t) {
    if (t.kind == TokenKind::kIdentifier &&
        std::ranges::find(kTrailingClauses, t.text) != kTrailingClauses.end()) {
      std::string word = t.text;
      std::ranges::transform(word, word.begin(), ::toupper);
      refuse(t, fmt::format("{} is not supported", word));
    }
    refuse(t, fmt::format("unexpected '{}'", t.text));
  }

  // A name: bare identifier that is not reserved, or a quoted identifier.
  bool at_name() const {
    const Token& t = peek();
    return t.kind == TokenKind::kQuotedIdentifier ||
           (t.kind == TokenKind::kIdentifier && !is_reserved(t.text));
  }
  std::string name(std::string_view what) {
    if (!at_name()) throw_at(peek().pos, fmt::format("expected {}{}", what, found()));
    return next().text;
  }

  SelectItem select_item() {
    SelectItem item;
    item.pos = peek().pos;
    if (is_symbol("*") || (at_name() && peek(1).text == "." && peek(2).text == "*"))
      refuse(peek(), "SELECT * is not supported: list the columns");
    item.expr = expression();
    if (accept_word("as")) {
      item.alias = name("a column name after AS");
    } else if (at_name()) {
      item.alias = next().text;
    }
    return item;
  }

  TableRef table_ref() {
    TableRef t;
    t.pos = peek().pos;
    if (is_symbol("(")) refuse(peek(), "subqueries are not supported");
    t.name = name("a table name");
    if (accept_symbol(".")) {
      t.schema = std::move(t.name);
      t.name = name("a table name after the schema");
    }
    if (accept_word("as")) {
      t.alias = name("a table alias after AS");
    } else if (at_name()) {
      t.alias = next().text;
    } else {
      t.alias = t.name;
    }
    return t;
  }

  bool starts_join() {
    if (is_word("join") || is_word("left") || is_word("inner")) return true;
    if (is_word("right") || is_word("full") || is_word("cross") || is_word("natural"))
      refuse(peek(), "only LEFT JOIN and JOIN (inner) lookups are supported");
    return false;
  }

  JoinClause join() {
    JoinClause j;
    j.pos = peek().pos;
    if (accept_word("left")) {
      accept_word("outer");
    } else {
      accept_word("inner");
      j.left = false;
    }
    expect_word("join", "expected JOIN");
    if (is_word("lateral")) refuse(peek(), "LATERAL is not supported");
    j.table = table_ref();
    if (is_word("using")) refuse(peek(), "JOIN ... USING is not supported; write ON a.x = b.x");
    expect_word("on", "expected ON after the joined table");
    j.on = expression();
    return j;
  }

  AstPtr make(AstKind kind, SourcePos pos) {
    auto a = std::make_unique<Ast>();
    a->kind = kind;
    a->pos = pos;
    return a;
  }
  AstPtr binary(std::string op, SourcePos pos, AstPtr l, AstPtr r) {
    AstPtr a = make(AstKind::kBinary, pos);
    a->op = std::move(op);
    a->args.push_back(std::move(l));
    a->args.push_back(std::move(r));
    return a;
  }

  AstPtr expression() { return or_expr(); }

  AstPtr or_expr() {
    AstPtr left = and_expr();
    while (is_word("or")) {
      SourcePos pos = next().pos;
      left = binary("or", pos, std::move(left), and_expr());
    }
    return left;
  }

  AstPtr and_expr() {
    AstPtr left = not_expr();
    while (is_word("and")) {
      SourcePos pos = next().pos;
      left = binary("and", pos, std::move(left), not_expr());
    }
    return left;
  }

  AstPtr not_expr() {
    if (!is_word("not")) return comparison();
    AstPtr a = make(AstKind::kUnary, next().pos);
    a->op = "not";
    a->args.push_back(not_expr());
    return a;
  }

  AstPtr comparison() {
    AstPtr left = concat();
    for (;;) {
      if (is_word("is")) {
        left = is_null(std::move(left));
        continue;
      }
      refuse_unsupported_predicate();
      static constexpr std::string_view kOps[] = {"=", "<>", "!=", "<", "<=", ">", ">="};
      if (peek().kind != TokenKind::kSymbol ||
          std::ranges::find(kOps, peek().text) == std::end(kOps))
        return left;
      const Token& op = next();
      left = binary(op.text == "!=" ? "<>" : op.text, op.pos, std::move(left), concat());
    }
  }

  void refuse_unsupported_predicate() {
    size_t ahead = is_word("not") ? 1 : 0;
    for (std::string_view w : {"in", "between", "like", "ilike", "similar"}) {
      if (is_word(w, ahead)) {
        std::string upper(w);
        std::ranges::transform(upper, upper.begin(), ::toupper);
        throw_at(peek(ahead).pos,
                 fmt::format("{} is not supported; use =, <>, <, <=, >, >=, AND, OR", upper));
      }
    }
  }

  AstPtr is_null(AstPtr operand) {
    AstPtr a = make(AstKind::kIsNull, next().pos);
    a->negated = accept_word("not");
    if (!accept_word("null"))
      throw_at(peek().pos, "only IS NULL and IS NOT NULL are supported after IS");
    a->args.push_back(std::move(operand));
    return a;
  }

  AstPtr concat() {
    AstPtr left = additive();
    while (is_symbol("||")) {
      SourcePos pos = next().pos;
      left = binary("||", pos, std::move(left), additive());
    }
    return left;
  }

  AstPtr additive() {
    AstPtr left = multiplicative();
    while (is_symbol("+") || is_symbol("-")) {
      const Token& op = next();
      left = binary(op.text, op.pos, std::move(left), multiplicative());
    }
    return left;
  }

  AstPtr multiplicative() {
    AstPtr left = unary();
    while (is_symbol("*") || is_symbol("/") || is_symbol("%")) {
      const Token& op = next();
      left = binary(op.text, op.pos, std::move(left), unary());
    }
    return left;
  }

  AstPtr unary() {
    if (!is_symbol("-") && !is_symbol("+")) return postfix_cast();
    const Token& op = next();
    AstPtr a = make(AstKind::kUnary, op.pos);
    a->op = op.text;
    a->args.push_back(unary());
    return a;
  }

  AstPtr postfix_cast() {
    AstPtr e = primary();
    while (is_symbol("::")) {
      AstPtr c = make(AstKind::kCast, next().pos);
      c->cast_type = cast_type();
      c->args.push_back(std::move(e));
      e = std::move(c);
    }
    return e;
  }

  AstPtr primary() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::kNumber:
        return literal(LiteralKind::kNumber, next().text);
      case TokenKind::kString:
        return literal(LiteralKind::kString, next().text);
      case TokenKind::kQuotedIdentifier:
        return column_ref();
      case TokenKind::kSymbol:
        return parenthesized();
      case TokenKind::kIdentifier:
        return word();
      case TokenKind::kEnd:
        break;
    }
    throw_at(t.pos, "expected an expression at the end of the query");
  }

  AstPtr literal(LiteralKind kind, std::string text) {
    AstPtr a = make(AstKind::kLiteral, tokens_[i_ == 0 ? 0 : i_ - 1].pos);
    a->literal = kind;
    a->text = std::move(text);
    return a;
  }

  AstPtr parenthesized() {
    if (!is_symbol("(")) throw_at(peek().pos, fmt::format("expected an expression{}", found()));
    next();
    if (is_word("select")) refuse(peek(), "subqueries are not supported");
    AstPtr e = expression();
    expect_symbol(")");
    return e;
  }

  AstPtr word() {
    const Token& t = peek();
    if (t.text == "null") return literal(LiteralKind::kNull, (next(), ""));
    if (t.text == "true") return literal(LiteralKind::kBool, (next(), "t"));
    if (t.text == "false") return literal(LiteralKind::kBool, (next(), "f"));
    if (t.text == "case") return case_expr();
    if (t.text == "exists") refuse(t, "subqueries are not supported");
    if (t.text == "interval")
      throw_at(t.pos, "intervals are not supported; use date + integer, date_trunc or EXTRACT");
    if ((t.text == "date" || t.text == "timestamp" || t.text == "timestamptz") &&
        peek(1).kind == TokenKind::kString)
      return typed_literal();
    if (peek(1).kind == TokenKind::kSymbol && peek(1).text == "(") return call();
    if (t.text == "current_timestamp" || t.text == "localtimestamp") return niladic("now");
    if (t.text == "current_date") return niladic("current_date");
    if (is_reserved(t.text)) throw_at(t.pos, fmt::format("expected an expression{}", found()));
    return column_ref();
  }

  // DATE '2021-09-01' is CAST('2021-09-01' AS date), checked when the flow compiles.
  AstPtr typed_literal() {
    AstPtr c = make(AstKind::kCast, peek().pos);
    c->cast_type.name = next().text;
    c->args.push_back(literal(LiteralKind::kString, next().text));
    return c;
  }

  AstPtr niladic(std::string fn) {
    AstPtr a = make(AstKind::kCall, next().pos);
    a->name = std::move(fn);
    return a;
  }

  AstPtr column_ref() {
    AstPtr a = make(AstKind::kColumn, peek().pos);
    a->name = name("a column name");
    if (accept_symbol(".")) {
      if (is_symbol("*")) refuse(peek(), "SELECT * is not supported: list the columns");
      a->qualifier = std::move(a->name);
      a->name = name("a column name after '.'");
    }
    return a;
  }

  AstPtr case_expr() {
    AstPtr a = make(AstKind::kCase, next().pos);
    if (!is_word("when")) {
      a->has_operand = true;
      a->args.push_back(expression());
    }
    if (!is_word("when")) throw_at(peek().pos, "expected WHEN in CASE");
    while (accept_word("when")) {
      a->args.push_back(expression());
      expect_word("then", "expected THEN after the WHEN condition");
      a->args.push_back(expression());
    }
    if (accept_word("else")) {
      a->has_else = true;
      a->args.push_back(expression());
    }
    expect_word("end", "expected END to close CASE");
    return a;
  }

  AstPtr call() {
    const Token& fn = next();
    std::string fname = fn.text;
    SourcePos pos = fn.pos;
    next();  // (
    if (fname == "cast") return cast_call(pos);
    if (fname == "extract") return extract_call(pos);
    if (fname == "substring") return substring_call(pos);
    if (fname == "trim") return trim_call(pos);
    AstPtr a = make(AstKind::kCall, pos);
    a->name = std::move(fname);
    if (is_word("distinct")) refuse(peek(), "aggregate functions are not supported");
    if (is_symbol("*")) refuse(peek(), "aggregate functions are not supported");
    if (!is_symbol(")")) {
      do {
        call_argument(*a);
      } while (accept_symbol(","));
    }
    expect_symbol(")");
    if (is_word("over")) refuse(peek(), "window functions are not supported");
    if (is_word("filter") || is_word("within"))
      refuse(peek(), "aggregate functions are not supported");
    return a;
  }

  void call_argument(Ast& call) {
    std::string arg_name;
    if (at_name() && peek(1).kind == TokenKind::kSymbol && peek(1).text == "=>") {
      arg_name = next().text;
      next();
    }
    call.args.push_back(expression());
    call.arg_names.push_back(std::move(arg_name));
  }

  AstPtr cast_call(SourcePos pos) {
    AstPtr a = make(AstKind::kCast, pos);
    a->args.push_back(expression());
    expect_word("as", "expected AS in CAST(x AS type)");
    a->cast_type = cast_type();
    expect_symbol(")");
    return a;
  }

  CastType cast_type() {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdentifier)
      throw_at(t.pos, fmt::format("expected a type{}", found()));
    CastType type;
    type.name = canonical_type(next());
    if (accept_symbol("(")) {
      do {
        const Token& n = peek();
        int value = 0;
        auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), value);
        if (n.kind != TokenKind::kNumber || ec != std::errc{} ||
            end != n.text.data() + n.text.size())
          throw_at(n.pos, "expected an integer type modifier");
        next();
        type.params.push_back(value);
      } while (accept_symbol(","));
      expect_symbol(")");
    }
    check_type_params(type, t.pos);
    return type;
  }

  std::string canonical_type(const Token& t) {
    const std::string& w = t.text;
    if (w == "int" || w == "integer" || w == "int4" || w == "smallint" || w == "int2")
      return "integer";
    if (w == "bigint" || w == "int8") return "bigint";
    if (w == "numeric" || w == "decimal") return "numeric";
    if (w == "text") return "text";
    if (w == "varchar") return "varchar";
    if (w == "character" && accept_word("varying")) return "varchar";
    if (w == "date") return "date";
    if (w == "timestamp") return timestamp_suffix();
    if (w == "timestamptz") return "timestamptz";
    if (w == "boolean" || w == "bool") return "boolean";
    if (w == "float8" || w == "float" || w == "real" || w == "float4") return "double precision";
    if (w == "double" && accept_word("precision")) return "double precision";
    throw_at(t.pos, fmt::format("unsupported type '{}'; supported: integer, bigint, numeric, text, "
                                "varchar, date, timestamp, timestamptz, boolean, double precision",
                                w));
  }

  std::string timestamp_suffix() {
    if (is_word("with") && is_word("time", 1) && is_word("zone", 2)) {
      next(), next(), next();
      return "timestamptz";
    }
    if (is_word("without") && is_word("time", 1) && is_word("zone", 2)) next(), next(), next();
    return "timestamp";
  }

  void check_type_params(const CastType& type, SourcePos pos) {
    size_t allowed = type.name == "numeric" ? 2 : type.name == "varchar" ? 1 : 0;
    if (type.params.size() > allowed)
      throw_at(pos, fmt::format("type {} takes at most {} modifier(s)", type.name, allowed));
    if (type.name == "numeric" && !type.params.empty()) {
      int precision = type.params[0];
      int scale = type.params.size() > 1 ? type.params[1] : 0;
      if (precision < 1 || precision > 1000 || scale < 0 || scale > precision)
        throw_at(pos, "numeric(p,s) needs 1 <= p <= 1000 and 0 <= s <= p");
    }
    if (type.name == "varchar" && !type.params.empty() && type.params[0] < 1)
      throw_at(pos, "varchar(n) needs n >= 1");
  }

  AstPtr extract_call(SourcePos pos) {
    AstPtr a = make(AstKind::kCall, pos);
    a->name = "extract";
    const Token& field = peek();
    if (field.kind != TokenKind::kIdentifier && field.kind != TokenKind::kString)
      throw_at(field.pos, "expected a field name in EXTRACT(field FROM x)");
    AstPtr f = make(AstKind::kLiteral, field.pos);
    f->literal = LiteralKind::kString;
    f->text = next().text;
    a->args.push_back(std::move(f));
    expect_word("from", "expected FROM in EXTRACT(field FROM x)");
    a->args.push_back(expression());
    a->arg_names.assign(2, "");
    expect_symbol(")");
    return a;
  }

  // SUBSTRING(x FROM a [FOR b]) and SUBSTRING(x, a [, b]) build the same call.
  AstPtr substring_call(SourcePos pos) {
    AstPtr a = make(AstKind::kCall, pos);
    a->name = "substring";
    a->args.push_back(expression());
    if (accept_word("from")) {
      a->args.push_back(expression());
      if (accept_word("for")) a->args.push_back(expression());
    } else if (accept_word("for")) {
      a->args.push_back(literal(LiteralKind::kNumber, "1"));
      a->args.push_back(expression());
    } else {
      while (accept_symbol(",")) a->args.push_back(expression());
    }
    a->arg_names.assign(a->args.size(), "");
    expect_symbol(")");
    return a;
  }

  // TRIM([BOTH | LEADING | TRAILING] [chars] [FROM] x) becomes btrim/ltrim/rtrim(x[, chars]).
  AstPtr trim_call(SourcePos pos) {
    AstPtr a = make(AstKind::kCall, pos);
    a->name = "btrim";
    if (accept_word("leading")) {
      a->name = "ltrim";
    } else if (accept_word("trailing")) {
      a->name = "rtrim";
    } else {
      accept_word("both");
    }
    AstPtr chars;
    if (!accept_word("from")) {
      AstPtr first = expression();
      if (accept_word("from")) {
        chars = std::move(first);
        a->args.push_back(expression());
      } else if (accept_symbol(",")) {
        a->args.push_back(std::move(first));
        chars = expression();
      } else {
        a->args.push_back(std::move(first));
      }
    } else {
      a->args.push_back(expression());
    }
    if (chars) a->args.push_back(std::move(chars));
    a->arg_names.assign(a->args.size(), "");
    expect_symbol(")");
    return a;
  }

  std::vector<Token> tokens_;
  size_t i_ = 0;
};

}  // namespace

FlowQuery parse_flow_sql(std::string_view sql, int base_line) {
  return Parser(tokenize(sql, base_line)).query();
}

AstPtr parse_flow_expression(std::string_view text, int base_line) {
  return Parser(tokenize(text, base_line)).lone_expression();
}

}  // namespace sluice::transform
