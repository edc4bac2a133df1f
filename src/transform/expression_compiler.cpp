#include "transform/expression_compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

#include "transform/decimal.hpp"
#include "transform/flow_parser.hpp"
#include "transform/node_builders.hpp"

namespace sluice::transform {

namespace detail {

NodePtr make_node(Opcode op, ExprType type) {
  auto n = std::make_unique<Node>();
  n->op = op;
  n->type = type;
  n->warehouse_type = default_warehouse_type(type);
  n->logical_type = logical_type_of(type);
  return n;
}

NodePtr with_args(NodePtr n, NodePtr a, NodePtr b) {
  n->args.push_back(std::move(a));
  if (b) n->args.push_back(std::move(b));
  return n;
}

// A constant owning its text (the value may point into a temporary arena).
NodePtr make_const(const Value& v, ExprType type) {
  NodePtr n = make_node(Opcode::kConst, type);
  n->constant = v;
  if (!v.null && held_as_text(type)) {
    n->owned_text = std::string(v.text);
    n->constant.text = n->owned_text;
  }
  return n;
}

// Branches that all come from columns of one warehouse type keep it (COALESCE of two
// numeric(12,2) columns stays numeric(12,2)).
void inherit_warehouse_type(Node& n, const std::vector<const Node*>& branches) {
  const Node* first = nullptr;
  for (const Node* b : branches) {
    if (b->op == Opcode::kConst && b->constant.null) continue;
    if (first == nullptr) {
      first = b;
    } else if (b->warehouse_type != first->warehouse_type || b->type != first->type) {
      return;
    }
  }
  if (first != nullptr && first->type == n.type) {
    n.warehouse_type = first->warehouse_type;
    n.logical_type = first->logical_type;
  }
}

ExprType unify_types(const std::vector<NodePtr>& nodes, const std::vector<SourcePos>& positions,
                     std::string_view what) {
  ExprType t = ExprType::kUnknown;
  for (size_t i = 0; i < nodes.size(); ++i) {
    ExprType next = common_type(t, nodes[i]->type);
    if (next == ExprType::kUnknown && t != ExprType::kUnknown)
      throw_at(positions[i], fmt::format("{} mixes {} and {}", what, expr_type_name(t),
                                         expr_type_name(nodes[i]->type)));
    t = next;
  }
  return t == ExprType::kUnknown ? ExprType::kText : t;
}

}  // namespace detail

namespace {

using namespace detail;

bool castable(ExprType from, ExprType to) {
  if (from == to || is_textual(from) || is_textual(to)) return true;
  if (is_number(from) && is_number(to)) return true;
  if ((from == ExprType::kBool && is_integer(to)) || (is_integer(from) && to == ExprType::kBool))
    return true;
  return is_temporal(from) && is_temporal(to);
}

std::string type_mod_text(const std::string& name, const TypeMod& mod) {
  if (name == "numeric" && mod.precision > 0)
    return fmt::format("numeric({},{})", mod.precision, std::max(mod.scale, 0));
  if (name == "varchar")
    return mod.length > 0 ? fmt::format("character varying({})", mod.length) : "character varying";
  return name;
}

ExprType cast_target(const std::string& name) {
  if (name == "integer") return ExprType::kInt32;
  if (name == "bigint") return ExprType::kInt64;
  if (name == "numeric") return ExprType::kNumeric;
  if (name == "date") return ExprType::kDate;
  if (name == "timestamp") return ExprType::kTimestamp;
  if (name == "timestamptz") return ExprType::kTimestampTz;
  if (name == "boolean") return ExprType::kBool;
  if (name == "double precision") return ExprType::kFloat64;
  return ExprType::kText;
}

NodePtr fold_cast(NodePtr cast, SourcePos pos) {
  const Node& arg = *cast->args[0];
  if (arg.op != Opcode::kConst) return cast;
  EvalContext ctx;
  Value v = cast_value(arg.constant, arg.type, cast->type, cast->typmod, ctx);
  if (ctx.failed()) throw_at(pos, fmt::format("{}: '{}'", ctx.error, arg.constant.text));
  NodePtr folded = make_const(v, cast->type);
  folded->warehouse_type = cast->warehouse_type;
  return folded;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int find_column(const TableSchema& table, std::string_view name) {
  int exact = table.column_index(name);
  if (exact >= 0) return exact;
  int found = -1;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (iequals(table.columns[i].name, name)) {
      if (found >= 0) return -2;  // ambiguous by case only
      found = static_cast<int>(i);
    }
  }
  return found;
}

}  // namespace

ExprType common_type(ExprType a, ExprType b) {
  if (a == b) return a;
  if (a == ExprType::kUnknown) return b;
  if (b == ExprType::kUnknown) return a;
  if (is_number(a) && is_number(b)) {
    if (a == ExprType::kFloat64 || b == ExprType::kFloat64) return ExprType::kFloat64;
    if (a == ExprType::kNumeric || b == ExprType::kNumeric) return ExprType::kNumeric;
    return ExprType::kInt64;
  }
  if (is_textual(a) && is_textual(b)) return ExprType::kText;
  if (is_temporal(a) && is_temporal(b)) {
    if (a == ExprType::kTimestampTz || b == ExprType::kTimestampTz) return ExprType::kTimestampTz;
    return ExprType::kTimestamp;
  }
  return ExprType::kUnknown;
}

NodePtr coerce(NodePtr node, ExprType to, SourcePos pos) {
  ExprType from = node->type;
  if (from == to) return node;
  // Text and "other" source types share a representation; only the label changes.
  if (is_textual(from) && is_textual(to) && node->op != Opcode::kConst) {
    node->type = to;
    return node;
  }
  if (!castable(from, to))
    throw_at(pos, fmt::format("cannot convert {} to {}", expr_type_name(from), expr_type_name(to)));
  NodePtr cast = make_node(Opcode::kCast, to);
  cast->args.push_back(std::move(node));
  return fold_cast(std::move(cast), pos);
}

ExpressionCompiler::ExpressionCompiler(const std::vector<ScopeSlot>& slots, size_t visible,
                                       std::string clause)
    : slots_(slots), visible_(visible), clause_(std::move(clause)) {}

NodePtr ExpressionCompiler::compile(const Ast& ast) {
  NodePtr n = expr(ast);
  if (n->type == ExprType::kUnknown) {
    n->type = ExprType::kText;
    n->warehouse_type = default_warehouse_type(ExprType::kText);
  }
  return n;
}

NodePtr ExpressionCompiler::compile_condition(const Ast& ast) {
  NodePtr n = expr(ast);
  if (n->type != ExprType::kBool && n->type != ExprType::kUnknown)
    throw_at(ast.pos,
             fmt::format("{} needs a boolean condition, got {}", clause_, expr_type_name(n->type)));
  return coerce(std::move(n), ExprType::kBool, ast.pos);
}

NodePtr ExpressionCompiler::expr(const Ast& ast) {
  switch (ast.kind) {
    case AstKind::kColumn:
      return column(ast);
    case AstKind::kLiteral:
      return literal(ast);
    case AstKind::kUnary:
      return unary(ast);
    case AstKind::kBinary:
      return binary(ast);
    case AstKind::kIsNull:
      return is_null(ast);
    case AstKind::kCase:
      return ast.has_operand ? simple_case(ast) : case_expr(ast);
    case AstKind::kCast:
      return cast(ast);
    case AstKind::kCall:
      return call(ast);
  }
  throw_at(ast.pos, "unsupported expression");
}

std::pair<size_t, size_t> ExpressionCompiler::resolve_column(const Ast& ast) const {
  auto slot_note = [&](size_t slot) {
    if (slot >= visible_)
      throw_at(ast.pos, fmt::format("{} can use only columns of the driving table '{}'", clause_,
                                    slots_[0].alias));
  };
  if (!ast.qualifier.empty()) {
    for (size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].alias != ast.qualifier) continue;
      int c = find_column(*slots_[s].table, ast.name);
      if (c < 0)
        throw_at(ast.pos, fmt::format("table '{}' ({}) has no column '{}'", ast.qualifier,
                                      slots_[s].table->qualified_name(), ast.name));
      slot_note(s);
      return {s, static_cast<size_t>(c)};
    }
    throw_at(ast.pos, fmt::format("unknown table alias '{}'", ast.qualifier));
  }
  std::vector<std::pair<size_t, size_t>> found;
  for (size_t s = 0; s < slots_.size(); ++s) {
    int c = find_column(*slots_[s].table, ast.name);
    if (c >= 0) found.emplace_back(s, static_cast<size_t>(c));
  }
  if (found.empty()) throw_at(ast.pos, fmt::format("unknown column '{}'", ast.name));
  if (found.size() > 1)
    throw_at(ast.pos, fmt::format("column '{}' is ambiguous: qualify it as {}.{} or {}.{}",
                                  ast.name, slots_[found[0].first].alias, ast.name,
                                  slots_[found[1].first].alias, ast.name));
  slot_note(found[0].first);
  return found[0];
}

NodePtr ExpressionCompiler::column(const Ast& ast) {
  auto [slot, index] = resolve_column(ast);
  const Column& col = slots_[slot].table->columns[index];
  NodePtr n = make_node(Opcode::kColumn, expr_type_of(col.type));
  n->slot = static_cast<uint16_t>(slot);
  n->column = static_cast<uint32_t>(index);
  if (!col.warehouse_type.empty()) n->warehouse_type = col.warehouse_type;
  n->logical_type = col.type;
  return n;
}

NodePtr ExpressionCompiler::literal(const Ast& ast) {
  switch (ast.literal) {
    case LiteralKind::kNull:
      return make_const(Value::null_value(), ExprType::kUnknown);
    case LiteralKind::kBool:
      return make_const(Value::of_bool(ast.text == "t"), ExprType::kBool);
    case LiteralKind::kString:
      return make_const(Value::of_text(ast.text), ExprType::kUnknown);
    case LiteralKind::kNumber:
      break;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(ast.text.data(), ast.text.data() + ast.text.size(), v);
  if (ec == std::errc{} && end == ast.text.data() + ast.text.size())
    return make_const(Value::of_int(v),
                      v >= INT32_MIN && v <= INT32_MAX ? ExprType::kInt32 : ExprType::kInt64);
  auto d = parse_decimal(ast.text);
  if (!d) throw_at(ast.pos, fmt::format("number '{}' exceeds 38 digits", ast.text));
  char buf[kMaxDecimalText];
  return make_const(Value::of_text({buf, format_decimal(*d, buf)}), ExprType::kNumeric);
}

NodePtr ExpressionCompiler::unary(const Ast& ast) {
  NodePtr operand = expr(*ast.args[0]);
  if (ast.op == "not") {
    if (operand->type != ExprType::kBool && operand->type != ExprType::kUnknown)
      throw_at(ast.pos, fmt::format("NOT needs a boolean, got {}", expr_type_name(operand->type)));
    return with_args(make_node(Opcode::kNot, ExprType::kBool),
                     coerce(std::move(operand), ExprType::kBool, ast.args[0]->pos));
  }
  if (!is_number(operand->type))
    throw_at(ast.pos,
             fmt::format("unary {} needs a number, got {}", ast.op, expr_type_name(operand->type)));
  if (ast.op == "+") return operand;
  ExprType t = operand->type;
  return with_args(make_node(Opcode::kNegate, t), std::move(operand));
}

NodePtr ExpressionCompiler::binary(const Ast& ast) {
  const std::string& op = ast.op;
  if (op == "and" || op == "or") return logic(ast);
  if (op == "||") return concat(ast);
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") return arithmetic(ast);
  return comparison(ast);
}

NodePtr ExpressionCompiler::logic(const Ast& ast) {
  NodePtr n = make_node(ast.op == "and" ? Opcode::kAnd : Opcode::kOr, ExprType::kBool);
  for (const AstPtr& side : ast.args) {
    NodePtr operand = expr(*side);
    if (operand->type != ExprType::kBool && operand->type != ExprType::kUnknown)
      throw_at(side->pos,
               fmt::format("{} needs boolean operands, got {}", ast.op == "and" ? "AND" : "OR",
                           expr_type_name(operand->type)));
    n->args.push_back(coerce(std::move(operand), ExprType::kBool, side->pos));
  }
  return n;
}

NodePtr ExpressionCompiler::comparison(const Ast& ast) {
  NodePtr left = expr(*ast.args[0]);
  NodePtr right = expr(*ast.args[1]);
  ExprType t = common_type(left->type, right->type);
  if (t == ExprType::kUnknown && (left->type != ExprType::kUnknown))
    throw_at(ast.pos, fmt::format("cannot compare {} with {}", expr_type_name(left->type),
                                  expr_type_name(right->type)));
  if (t == ExprType::kUnknown) t = ExprType::kText;
  static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
      {"=", CompareOp::kEq},  {"<>", CompareOp::kNe}, {"<", CompareOp::kLt},
      {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
  NodePtr n = make_node(Opcode::kCompare, ExprType::kBool);
  for (const auto& [text, op] : kOps)
    if (ast.op == text) n->compare = op;
  n->operand_type = t;
  n->args.push_back(coerce(std::move(left), t, ast.args[0]->pos));
  n->args.push_back(coerce(std::move(right), t, ast.args[1]->pos));
  return n;
}

NodePtr ExpressionCompiler::arithmetic(const Ast& ast) {
  NodePtr left = expr(*ast.args[0]);
  NodePtr right = expr(*ast.args[1]);
  if (left->type == ExprType::kDate || right->type == ExprType::kDate)
    return date_arithmetic(ast, std::move(left), std::move(right));
  ExprType t = common_type(left->type, right->type);
  if (!is_number(t))
    throw_at(ast.pos, fmt::format("operator {} needs numbers, got {} and {}", ast.op,
                                  expr_type_name(left->type), expr_type_name(right->type)));
  if (t == ExprType::kFloat64 && ast.op == "%")
    throw_at(ast.pos, "% is not defined for double precision");
  static constexpr std::pair<std::string_view, ArithOp> kOps[] = {{"+", ArithOp::kAdd},
                                                                  {"-", ArithOp::kSub},
                                                                  {"*", ArithOp::kMul},
                                                                  {"/", ArithOp::kDiv},
                                                                  {"%", ArithOp::kMod}};
  // Two integers of different widths compute in bigint, like PostgreSQL's int48 operators.
  NodePtr n = make_node(Opcode::kArith, t);
  for (const auto& [text, op] : kOps)
    if (ast.op == text) n->arith = op;
  n->operand_type = t;
  n->args.push_back(coerce(std::move(left), t, ast.args[0]->pos));
  n->args.push_back(coerce(std::move(right), t, ast.args[1]->pos));
  return n;
}

NodePtr ExpressionCompiler::date_arithmetic(const Ast& ast, NodePtr left, NodePtr right) {
  bool date_minus_date =
      left->type == ExprType::kDate && right->type == ExprType::kDate && ast.op == "-";
  bool date_plus_int =
      (ast.op == "+" || ast.op == "-") && left->type == ExprType::kDate && is_integer(right->type);
  bool int_plus_date = ast.op == "+" && is_integer(left->type) && right->type == ExprType::kDate;
  if (!date_minus_date && !date_plus_int && !int_plus_date)
    throw_at(ast.pos, fmt::format("operator {} is not defined for {} and {} (flows support "
                                  "date + integer, date - integer and date - date)",
                                  ast.op, expr_type_name(left->type), expr_type_name(right->type)));
  NodePtr n = make_node(Opcode::kArith, date_minus_date ? ExprType::kInt32 : ExprType::kDate);
  n->arith = ast.op == "+" ? ArithOp::kAdd : ArithOp::kSub;
  n->operand_type = ExprType::kDate;
  return with_args(std::move(n), std::move(left), std::move(right));
}

NodePtr ExpressionCompiler::concat(const Ast& ast) {
  NodePtr n = make_node(Opcode::kConcat, ExprType::kText);
  for (const AstPtr& side : ast.args)
    n->args.push_back(coerce(expr(*side), ExprType::kText, side->pos));
  return n;
}

NodePtr ExpressionCompiler::is_null(const Ast& ast) {
  return with_args(make_node(ast.negated ? Opcode::kIsNotNull : Opcode::kIsNull, ExprType::kBool),
                   expr(*ast.args[0]));
}

NodePtr ExpressionCompiler::case_expr(const Ast& ast) {
  NodePtr n = make_node(Opcode::kCase, ExprType::kUnknown);
  n->has_else = ast.has_else;
  std::vector<NodePtr> results;
  std::vector<SourcePos> positions;
  const size_t pairs_end = ast.args.size() - (ast.has_else ? 1 : 0);
  for (size_t i = 0; i < ast.args.size(); ++i) {
    if (i % 2 == 0 && i < pairs_end) {
      n->args.push_back(compile_condition(*ast.args[i]));
      n->args.push_back(nullptr);  // the result, once its type is known
    } else {
      results.push_back(expr(*ast.args[i]));
      positions.push_back(ast.args[i]->pos);
    }
  }
  type_results(*n, std::move(results), positions, 1);
  return n;
}

// CASE x WHEN a THEN r ...: x is evaluated once per row and compared with each WHEN value
// in the type they share.
NodePtr ExpressionCompiler::simple_case(const Ast& ast) {
  NodePtr n = make_node(Opcode::kSimpleCase, ExprType::kUnknown);
  n->has_else = ast.has_else;
  const size_t pairs_end = ast.args.size() - (ast.has_else ? 1 : 0);
  std::vector<NodePtr> compared;
  compared.push_back(expr(*ast.args[0]));
  std::vector<SourcePos> compared_at{ast.args[0]->pos};
  std::vector<NodePtr> results;
  std::vector<SourcePos> positions;
  for (size_t i = 1; i < ast.args.size(); ++i) {
    bool is_when = i < pairs_end && i % 2 == 1;
    (is_when ? compared : results).push_back(expr(*ast.args[i]));
    (is_when ? compared_at : positions).push_back(ast.args[i]->pos);
  }
  n->operand_type = unify_types(compared, compared_at, "CASE operand and WHEN values");
  n->args.push_back(coerce(std::move(compared[0]), n->operand_type, compared_at[0]));
  for (size_t w = 1; w < compared.size(); ++w) {
    n->args.push_back(coerce(std::move(compared[w]), n->operand_type, compared_at[w]));
    n->args.push_back(nullptr);
  }
  type_results(*n, std::move(results), positions, 2);
  return n;
}

// Fills the result slots of a CASE (every second argument from `first_slot`, then the
// ELSE) with the results converted to their common type.
void ExpressionCompiler::type_results(Node& n, std::vector<NodePtr> results,
                                      const std::vector<SourcePos>& positions, size_t first_slot) {
  n.type = unify_types(results, positions, "CASE");
  std::vector<const Node*> raw;
  for (const NodePtr& r : results) raw.push_back(r.get());
  n.warehouse_type = default_warehouse_type(n.type);
  n.logical_type = logical_type_of(n.type);
  inherit_warehouse_type(n, raw);
  size_t r = 0;
  for (size_t slot = first_slot; slot < n.args.size(); slot += 2, ++r)
    n.args[slot] = coerce(std::move(results[r]), n.type, positions[r]);
  if (n.has_else) n.args.push_back(coerce(std::move(results[r]), n.type, positions[r]));
}

NodePtr ExpressionCompiler::cast(const Ast& ast) {
  NodePtr arg = expr(*ast.args[0]);
  ExprType to = cast_target(ast.cast_type.name);
  if (!castable(arg->type, to))
    throw_at(ast.pos,
             fmt::format("cannot cast {} to {}", expr_type_name(arg->type), ast.cast_type.name));
  NodePtr n = make_node(Opcode::kCast, to);
  const auto& params = ast.cast_type.params;
  if (ast.cast_type.name == "numeric" && !params.empty()) {
    n->typmod.precision = params[0];
    n->typmod.scale = params.size() > 1 ? params[1] : 0;
  }
  if (ast.cast_type.name == "varchar" && !params.empty()) n->typmod.length = params[0];
  if (ast.cast_type.name == "numeric" || ast.cast_type.name == "varchar")
    n->warehouse_type = type_mod_text(ast.cast_type.name, n->typmod);
  n->args.push_back(std::move(arg));
  return fold_cast(std::move(n), ast.args[0]->pos);
}

}  // namespace sluice::transform
