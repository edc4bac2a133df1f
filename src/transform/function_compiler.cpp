// Type checking and building of the built-in function calls.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

#include "transform/expression_compiler.hpp"
#include "transform/flow_parser.hpp"
#include "transform/function_catalog.hpp"
#include "transform/node_builders.hpp"

namespace sluice::transform {
namespace {

using namespace detail;

constexpr std::array kAggregates = {"count",   "sum",       "avg",        "min",
                                    "max",     "array_agg", "string_agg", "bool_and",
                                    "bool_or", "every",     "json_agg",   "jsonb_agg"};

}  // namespace

NodePtr ExpressionCompiler::call(const Ast& ast) {
  const std::string& f = ast.name;
  if (std::ranges::find(kAggregates, f) != kAggregates.end())
    throw_at(ast.pos,
             fmt::format("aggregate function {}() is not supported; {}", f, kSupportedSubset));
  const FunctionSpec* spec = find_function(f);
  if (spec == nullptr)
    throw_at(ast.pos, fmt::format("unknown function '{}'; flows support {}", f, function_names()));
  if (spec->shape != FunctionShape::kMask &&
      std::ranges::any_of(ast.arg_names, [](auto& n) { return !n.empty(); }))
    throw_at(ast.pos, fmt::format("{}() takes no named arguments", f));
  switch (spec->shape) {
    case FunctionShape::kCoalesce:
      return coalesce(ast);
    case FunctionShape::kNullIf:
      return nullif(ast);
    case FunctionShape::kText:
      return text_function(ast, spec->op, spec->min_args, spec->max_args);
    case FunctionShape::kSubstring:
      return substring(ast);
    case FunctionShape::kLength:
      return length(ast);
    case FunctionShape::kTemporal:
      return temporal_function(ast, spec->op);
    case FunctionShape::kNiladic:
      return niladic(ast, spec->op, spec->result);
    case FunctionShape::kPrivacy:
      return privacy_function(ast, spec->op);
    case FunctionShape::kHmac:
      return hmac(ast);
    case FunctionShape::kMask:
      return mask(ast);
  }
  throw_at(ast.pos, fmt::format("function '{}' has no compiler", f));
}

namespace {

void check_arity(const Ast& ast, size_t min_args, size_t max_args) {
  size_t n = ast.args.size();
  if (n >= min_args && n <= max_args) return;
  std::string expected = min_args == max_args ? fmt::format("{}", min_args)
                                              : fmt::format("{} to {}", min_args, max_args);
  throw_at(ast.pos, fmt::format("{}() takes {} argument(s), got {}", ast.name, expected, n));
}

NodePtr require_text(NodePtr n, const Ast& fn, const Ast& arg) {
  if (!is_textual(n->type))
    throw_at(arg.pos, fmt::format("{}() expects text, got {}; write CAST(x AS text)", fn.name,
                                  expr_type_name(n->type)));
  if (n->type == ExprType::kUnknown) return coerce(std::move(n), ExprType::kText, arg.pos);
  return n;
}

NodePtr require_integer(NodePtr n, const Ast& fn, const Ast& arg) {
  if (!is_integer(n->type) && n->type != ExprType::kUnknown)
    throw_at(arg.pos,
             fmt::format("{}() expects an integer here, got {}", fn.name, expr_type_name(n->type)));
  ExprType to = n->type == ExprType::kUnknown ? ExprType::kInt64 : n->type;
  return coerce(std::move(n), to, arg.pos);
}

const std::string& literal_text(const Ast& arg, const Ast& fn, std::string_view what) {
  if (arg.kind != AstKind::kLiteral || arg.literal != LiteralKind::kString)
    throw_at(arg.pos, fmt::format("{}() needs {} as a string literal", fn.name, what));
  return arg.text;
}

}  // namespace

NodePtr ExpressionCompiler::coalesce(const Ast& ast) {
  check_arity(ast, 1, 64);
  std::vector<NodePtr> args;
  std::vector<SourcePos> positions;
  for (const AstPtr& a : ast.args) {
    args.push_back(expr(*a));
    positions.push_back(a->pos);
  }
  NodePtr n = make_node(Opcode::kCoalesce, unify_types(args, positions, "COALESCE"));
  std::vector<const Node*> raw;
  for (const NodePtr& a : args) raw.push_back(a.get());
  inherit_warehouse_type(*n, raw);
  for (size_t i = 0; i < args.size(); ++i)
    n->args.push_back(coerce(std::move(args[i]), n->type, positions[i]));
  return n;
}

NodePtr ExpressionCompiler::nullif(const Ast& ast) {
  check_arity(ast, 2, 2);
  NodePtr value = compile(*ast.args[0]);
  ExprType right_type = expr(*ast.args[1])->type;
  ExprType t = common_type(value->type, right_type);
  if (t == ExprType::kUnknown)
    throw_at(ast.args[1]->pos,
             fmt::format("NULLIF cannot compare {} with {}", expr_type_name(value->type),
                         expr_type_name(right_type)));
  NodePtr n = make_node(Opcode::kNullIf, value->type);
  n->warehouse_type = value->warehouse_type;
  n->logical_type = value->logical_type;
  n->operand_type = t;
  n->args.push_back(std::move(value));
  n->args.push_back(coerce(compile(*ast.args[0]), t, ast.args[0]->pos));
  n->args.push_back(coerce(expr(*ast.args[1]), t, ast.args[1]->pos));
  return n;
}

NodePtr ExpressionCompiler::text_function(const Ast& ast, Opcode op, size_t min_args,
                                          size_t max_args) {
  check_arity(ast, min_args, max_args);
  NodePtr n = make_node(op, ExprType::kText);
  if (ast.name == "ltrim") n->trim = TrimSide::kLeading;
  if (ast.name == "rtrim") n->trim = TrimSide::kTrailing;
  for (const AstPtr& a : ast.args) n->args.push_back(require_text(expr(*a), ast, *a));
  return n;
}

NodePtr ExpressionCompiler::substring(const Ast& ast) {
  check_arity(ast, 2, 3);
  NodePtr n = make_node(Opcode::kSubstring, ExprType::kText);
  n->args.push_back(require_text(expr(*ast.args[0]), ast, *ast.args[0]));
  for (size_t i = 1; i < ast.args.size(); ++i)
    n->args.push_back(require_integer(expr(*ast.args[i]), ast, *ast.args[i]));
  return n;
}

NodePtr ExpressionCompiler::length(const Ast& ast) {
  check_arity(ast, 1, 1);
  return with_args(make_node(Opcode::kLength, ExprType::kInt32),
                   require_text(expr(*ast.args[0]), ast, *ast.args[0]));
}

NodePtr ExpressionCompiler::temporal_function(const Ast& ast, Opcode op) {
  check_arity(ast, 2, 2);
  const std::string& unit_name = literal_text(*ast.args[0], ast, "the unit");
  auto unit = parse_time_unit(unit_name);
  if (!unit || (op == Opcode::kDateTrunc && !truncatable(*unit)))
    throw_at(ast.args[0]->pos, fmt::format("unknown {} unit '{}'", ast.name, unit_name));
  NodePtr arg = expr(*ast.args[1]);
  if (arg->type == ExprType::kUnknown)
    arg = coerce(std::move(arg), ExprType::kTimestamp, ast.args[1]->pos);
  if (!is_temporal(arg->type))
    throw_at(ast.args[1]->pos, fmt::format("{}() expects a date or timestamp, got {}", ast.name,
                                           expr_type_name(arg->type)));
  ExprType result = op == Opcode::kExtract                ? ExprType::kNumeric
                    : arg->type == ExprType::kTimestampTz ? ExprType::kTimestampTz
                                                          : ExprType::kTimestamp;
  NodePtr n = make_node(op, result);
  n->unit = *unit;
  return with_args(std::move(n), std::move(arg));
}

NodePtr ExpressionCompiler::niladic(const Ast& ast, Opcode op, ExprType type) {
  check_arity(ast, 0, 0);
  return make_node(op, type);
}

NodePtr ExpressionCompiler::privacy_function(const Ast& ast, Opcode op) {
  check_arity(ast, 1, 1);
  NodePtr arg = expr(*ast.args[0]);
  // Tokens and masks apply to any value through its canonical text (a numeric phone
  // column masks like a text one); email_domain only makes sense on text.
  arg = op == Opcode::kEmailDomain ? require_text(std::move(arg), ast, *ast.args[0])
                                   : coerce(std::move(arg), ExprType::kText, ast.args[0]->pos);
  NodePtr n = make_node(op, ExprType::kText);
  if (op == Opcode::kSha256) n->warehouse_type = "character(64)";
  return with_args(std::move(n), std::move(arg));
}

NodePtr ExpressionCompiler::hmac(const Ast& ast) {
  check_arity(ast, 2, 2);
  const std::string& variable =
      literal_text(*ast.args[1], ast, "the key's environment variable name");
  const char* key = std::getenv(variable.c_str());
  if (key == nullptr || *key == '\0')
    throw_at(ast.args[1]->pos,
             fmt::format("hmac_sha256 key variable {} is not set in the environment", variable));
  NodePtr n = make_node(Opcode::kHmacSha256, ExprType::kText);
  n->warehouse_type = "character(64)";
  n->hmac = std::make_unique<HmacSha256>(key);
  return with_args(std::move(n), coerce(expr(*ast.args[0]), ExprType::kText, ast.args[0]->pos));
}

NodePtr ExpressionCompiler::mask(const Ast& ast) {
  check_arity(ast, 1, 2);
  if (!ast.arg_names[0].empty())
    throw_at(ast.args[0]->pos, "mask() takes the value first, without a name");
  NodePtr n = make_node(Opcode::kMask, ExprType::kText);
  if (ast.args.size() == 2) {
    const Ast& keep = *ast.args[1];
    if (!ast.arg_names[1].empty() && ast.arg_names[1] != "keep_last")
      throw_at(keep.pos,
               fmt::format("mask() has no argument '{}'; use keep_last => N", ast.arg_names[1]));
    int64_t v = -1;
    if (keep.kind == AstKind::kLiteral && keep.literal == LiteralKind::kNumber)
      std::from_chars(keep.text.data(), keep.text.data() + keep.text.size(), v);
    if (v < 0) throw_at(keep.pos, "mask() keep_last must be a non-negative integer literal");
    n->keep_last = v;
  }
  return with_args(std::move(n), coerce(expr(*ast.args[0]), ExprType::kText, ast.args[0]->pos));
}

}  // namespace sluice::transform
