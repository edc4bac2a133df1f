// Type checking and building of the built-in function calls, from their rows in the
// function table (function_catalog.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

#include "core/error.hpp"
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

bool is_literal(ArgType type) {
  switch (type) {
    case ArgType::kUnit:
    case ArgType::kField:
    case ArgType::kKeyVariable:
    case ArgType::kKeepLast:
      return true;
    case ArgType::kAny:
    case ArgType::kAnyAsText:
    case ArgType::kText:
    case ArgType::kInteger:
    case ArgType::kTemporal:
      return false;
  }
  return false;
}

// Only keep_last may be named (mask(x, keep_last => 4)).
bool takes_a_named_argument(const FunctionSpec& spec) {
  for (size_t i = 0; i < spec.max_args && i < kListedArgs; ++i)
    if (spec.arg(i) == ArgType::kKeepLast) return true;
  return false;
}

// The value comes first, unnamed, where a later argument may have a name.
void check_values_unnamed(const Ast& ast, const FunctionSpec& spec) {
  for (size_t i = 0; i < ast.args.size(); ++i)
    if (!ast.arg_names[i].empty() && spec.arg(i) != ArgType::kKeepLast)
      throw_at(ast.args[i]->pos,
               fmt::format("{}() takes the value first, without a name", ast.name));
}

// Reads literal argument `i` of `fn` into `n`.
void read_literal(Node& n, ArgType type, const Ast& fn, size_t i) {
  const Ast& arg = *fn.args[i];
  switch (type) {
    case ArgType::kUnit:
    case ArgType::kField: {
      const std::string& unit_name = literal_text(arg, fn, "the unit");
      auto unit = parse_time_unit(unit_name);
      if (!unit || (type == ArgType::kUnit && !truncatable(*unit)))
        throw_at(arg.pos, fmt::format("unknown {} unit '{}'", fn.name, unit_name));
      n.unit = *unit;
      return;
    }
    case ArgType::kKeyVariable: {
      const std::string& variable = literal_text(arg, fn, "the key's environment variable name");
      const char* key = std::getenv(variable.c_str());
      if (key == nullptr || *key == '\0')
        throw_at(arg.pos, fmt::format("{} key variable {} is not set in the environment", fn.name,
                                      variable));
      n.hmac = std::make_unique<HmacSha256>(key);
      return;
    }
    case ArgType::kKeepLast: {
      const std::string& name = fn.arg_names[i];
      if (!name.empty() && name != "keep_last")
        throw_at(arg.pos,
                 fmt::format("{}() has no argument '{}'; use keep_last => N", fn.name, name));
      int64_t v = -1;
      if (arg.kind == AstKind::kLiteral && arg.literal == LiteralKind::kNumber)
        std::from_chars(arg.text.data(), arg.text.data() + arg.text.size(), v);
      if (v < 0)
        throw_at(arg.pos,
                 fmt::format("{}() keep_last must be a non-negative integer literal", fn.name));
      n.keep_last = v;
      return;
    }
    default:
      return;  // a value, compiled later
  }
}

// The literal arguments of a call, read into the fields of a node.
Node read_literals(const Ast& ast, const FunctionSpec& spec) {
  Node literals;
  for (size_t i = 0; i < ast.args.size(); ++i)
    if (is_literal(spec.arg(i))) read_literal(literals, spec.arg(i), ast, i);
  return literals;
}

// Converts the compiled value argument `n` as `type` requires.
NodePtr value_argument(NodePtr n, ArgType type, const Ast& fn, const Ast& arg) {
  switch (type) {
    case ArgType::kText:
      return require_text(std::move(n), fn, arg);
    case ArgType::kInteger:
      return require_integer(std::move(n), fn, arg);
    case ArgType::kAnyAsText:
      return coerce(std::move(n), ExprType::kText, arg.pos);
    case ArgType::kTemporal:
      if (n->type == ExprType::kUnknown) n = coerce(std::move(n), ExprType::kTimestamp, arg.pos);
      if (!is_temporal(n->type))
        throw_at(arg.pos, fmt::format("{}() expects a date or timestamp, got {}", fn.name,
                                      expr_type_name(n->type)));
      return n;
    default:
      return n;  // kAny: the caller unifies
  }
}

ExprType result_type(const FunctionSpec& spec, const std::vector<NodePtr>& values) {
  switch (spec.result) {
    case ResultType::kText:
      return ExprType::kText;
    case ResultType::kInteger:
      return ExprType::kInt32;
    case ResultType::kNumeric:
      return ExprType::kNumeric;
    case ResultType::kTimestamp:
      return values[0]->type == ExprType::kTimestampTz ? ExprType::kTimestampTz
                                                       : ExprType::kTimestamp;
    case ResultType::kTimestampTz:
      return ExprType::kTimestampTz;
    case ResultType::kDate:
      return ExprType::kDate;
    case ResultType::kCommon:
    case ResultType::kFirst:
      break;
  }
  throw FatalError(
      fmt::format("{}() is typed from all its arguments and has its own compiler", spec.names[0]));
}

NodePtr function_node(const FunctionSpec& spec, Node literals, std::vector<NodePtr> values) {
  NodePtr n = make_node(spec.op, result_type(spec, values));
  if (!spec.warehouse_type.empty()) n->warehouse_type = spec.warehouse_type;
  n->trim = spec.trim;
  n->unit = literals.unit;
  n->keep_last = literals.keep_last;
  n->hmac = std::move(literals.hmac);
  n->args = std::move(values);
  return n;
}

}  // namespace

NodePtr ExpressionCompiler::call(const Ast& ast) {
  const std::string& f = ast.name;
  if (std::ranges::find(kAggregates, f) != kAggregates.end())
    throw_at(ast.pos,
             fmt::format("aggregate function {}() is not supported; {}", f, kSupportedSubset));
  const FunctionSpec* spec = find_function(f);
  if (spec == nullptr)
    throw_at(ast.pos, fmt::format("unknown function '{}'; flows support {}", f, function_names()));
  if (!takes_a_named_argument(*spec) &&
      std::ranges::any_of(ast.arg_names, [](auto& n) { return !n.empty(); }))
    throw_at(ast.pos, fmt::format("{}() takes no named arguments", f));
  check_arity(ast, spec->min_args, spec->max_args);
  check_values_unnamed(ast, *spec);
  // Their arguments meet in a type found from all of them together.
  if (spec->op == Opcode::kCoalesce) return coalesce(ast);
  if (spec->op == Opcode::kNullIf) return nullif(ast);
  // Literals are read before values are compiled, so a bad one is reported first.
  Node literals = read_literals(ast, *spec);
  std::vector<NodePtr> values;
  for (size_t i = 0; i < ast.args.size(); ++i)
    if (!is_literal(spec->arg(i)))
      values.push_back(value_argument(expr(*ast.args[i]), spec->arg(i), ast, *ast.args[i]));
  return function_node(*spec, std::move(literals), std::move(values));
}

NodePtr ExpressionCompiler::coalesce(const Ast& ast) {
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

}  // namespace sluice::transform
