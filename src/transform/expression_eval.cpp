// Per-row evaluation of compiled expressions. One switch per node; operands are checked
// and converted at compile time, so each case only computes.
#include <fmt/format.h>

#include <cmath>

#include "transform/decimal.hpp"
#include "transform/expression.hpp"

namespace sluice::transform {
namespace {

int compare_values(const Value& a, const Value& b, ExprType type, EvalContext& ctx, bool& ok) {
  ok = true;
  switch (type) {
    case ExprType::kFloat64:
      // PostgreSQL orders NaN above every other value and equal to itself.
      if (std::isnan(a.d) || std::isnan(b.d)) return std::isnan(a.d) - std::isnan(b.d);
      return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
    case ExprType::kNumeric: {
      auto x = parse_decimal(a.text), y = parse_decimal(b.text);
      if (!x || !y) {
        ok = false;
        ctx.fail("invalid numeric value");
        return 0;
      }
      return decimal_compare(*x, *y);
    }
    case ExprType::kUnknown:
    case ExprType::kText:
    case ExprType::kOther: {
      int c = a.text.compare(b.text);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default:
      return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  }
}

bool compare_holds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

Value eval_compare(const Node& n, EvalContext& ctx) {
  Value a = evaluate(*n.args[0], ctx);
  if (a.null) return a;
  Value b = evaluate(*n.args[1], ctx);
  if (b.null) return b;
  bool ok = true;
  int c = compare_values(a, b, n.operand_type, ctx, ok);
  return ok ? Value::of_bool(compare_holds(n.compare, c)) : Value::null_value();
}

// Three-valued logic: false dominates AND, true dominates OR, otherwise NULL wins.
Value eval_logic(const Node& n, EvalContext& ctx, bool is_and) {
  Value a = evaluate(*n.args[0], ctx);
  if (!a.null && (a.i != 0) != is_and) return a;
  Value b = evaluate(*n.args[1], ctx);
  if (!b.null && (b.i != 0) != is_and) return b;
  if (a.null || b.null) return Value::null_value();
  return Value::of_bool(is_and);
}

Value int_arith(ArithOp op, int64_t a, int64_t b, bool narrow, EvalContext& ctx) {
  const char* overflow = narrow ? "integer out of range" : "bigint out of range";
  int64_t r = 0;
  switch (op) {
    case ArithOp::kAdd:
      if (__builtin_add_overflow(a, b, &r)) return ctx.fail(overflow);
      break;
    case ArithOp::kSub:
      if (__builtin_sub_overflow(a, b, &r)) return ctx.fail(overflow);
      break;
    case ArithOp::kMul:
      if (__builtin_mul_overflow(a, b, &r)) return ctx.fail(overflow);
      break;
    case ArithOp::kDiv:
      if (b == 0) return ctx.fail("division by zero");
      if (b == -1) return int_arith(ArithOp::kSub, 0, a, narrow, ctx);
      r = a / b;
      break;
    case ArithOp::kMod:
      if (b == 0) return ctx.fail("division by zero");
      r = b == -1 ? 0 : a % b;
      break;
  }
  if (narrow && (r < INT32_MIN || r > INT32_MAX)) return ctx.fail(overflow);
  return Value::of_int(r);
}

Value float_arith(ArithOp op, double a, double b, EvalContext& ctx) {
  double r = 0;
  switch (op) {
    case ArithOp::kAdd:
      r = a + b;
      break;
    case ArithOp::kSub:
      r = a - b;
      break;
    case ArithOp::kMul:
      r = a * b;
      break;
    case ArithOp::kDiv:
      if (b == 0) return ctx.fail("division by zero");
      r = a / b;
      break;
    case ArithOp::kMod:
      return ctx.fail("% is not defined for double precision");
  }
  if (std::isinf(r) && std::isfinite(a) && std::isfinite(b))
    return ctx.fail("value out of range: overflow");
  return Value::of_double(r);
}

Value numeric_arith(ArithOp op, const Value& va, const Value& vb, EvalContext& ctx) {
  auto a = parse_decimal(va.text), b = parse_decimal(vb.text);
  if (!a || !b) return ctx.fail("invalid numeric value");
  if ((op == ArithOp::kDiv || op == ArithOp::kMod) && b->value == 0)
    return ctx.fail("division by zero");
  std::optional<Decimal> r;
  switch (op) {
    case ArithOp::kAdd:
      r = decimal_add(*a, *b);
      break;
    case ArithOp::kSub:
      r = decimal_sub(*a, *b);
      break;
    case ArithOp::kMul:
      r = decimal_mul(*a, *b);
      break;
    case ArithOp::kDiv:
      r = decimal_div(*a, *b);
      break;
    case ArithOp::kMod:
      r = decimal_mod(*a, *b);
      break;
  }
  if (!r) return ctx.fail("numeric value out of range (more than 38 digits)");
  char* buf = ctx.arena.allocate(kMaxDecimalText);
  return Value::of_text({buf, format_decimal(*r, buf)});
}

// date + integer, date - integer, date - date: the only date arithmetic PostgreSQL has
// without intervals.
Value date_arith(const Node& n, const Value& a, const Value& b, EvalContext& ctx) {
  ExprType left = n.args[0]->type;
  if (left == ExprType::kDate && n.args[1]->type == ExprType::kDate)
    return int_arith(ArithOp::kSub, a.i, b.i, true, ctx);
  int64_t days = left == ExprType::kDate ? a.i : b.i;
  int64_t delta = left == ExprType::kDate ? b.i : a.i;
  return int_arith(n.arith, days, delta, false, ctx);
}

Value eval_arith(const Node& n, EvalContext& ctx) {
  Value a = evaluate(*n.args[0], ctx);
  if (a.null) return a;
  Value b = evaluate(*n.args[1], ctx);
  if (b.null) return b;
  switch (n.operand_type) {
    case ExprType::kInt32:
    case ExprType::kInt64:
      return int_arith(n.arith, a.i, b.i, n.operand_type == ExprType::kInt32, ctx);
    case ExprType::kFloat64:
      return float_arith(n.arith, a.d, b.d, ctx);
    case ExprType::kNumeric:
      return numeric_arith(n.arith, a, b, ctx);
    case ExprType::kDate:
      return date_arith(n, a, b, ctx);
    default:
      return ctx.fail("unsupported arithmetic");
  }
}

Value eval_negate(const Node& n, EvalContext& ctx) {
  Value a = evaluate(*n.args[0], ctx);
  if (a.null) return a;
  switch (n.type) {
    case ExprType::kFloat64:
      return Value::of_double(-a.d);
    case ExprType::kNumeric: {
      Value zero = Value::of_text("0");
      return numeric_arith(ArithOp::kSub, zero, a, ctx);
    }
    default:
      return int_arith(ArithOp::kSub, 0, a.i, n.type == ExprType::kInt32, ctx);
  }
}

Value eval_concat(const Node& n, EvalContext& ctx) {
  Value a = evaluate(*n.args[0], ctx);
  if (a.null) return a;
  Value b = evaluate(*n.args[1], ctx);
  if (b.null) return b;
  char* out = ctx.arena.allocate(a.text.size() + b.text.size());
  std::copy(a.text.begin(), a.text.end(), out);
  std::copy(b.text.begin(), b.text.end(), out + a.text.size());
  return Value::of_text({out, a.text.size() + b.text.size()});
}

Value eval_case(const Node& n, EvalContext& ctx) {
  size_t pairs_end = n.args.size() - (n.has_else ? 1 : 0);
  for (size_t i = 0; i + 1 < pairs_end; i += 2)
    if (is_true(evaluate(*n.args[i], ctx))) return evaluate(*n.args[i + 1], ctx);
  return n.has_else ? evaluate(*n.args.back(), ctx) : Value::null_value();
}

Value eval_simple_case(const Node& n, EvalContext& ctx) {
  Value operand = evaluate(*n.args[0], ctx);
  size_t pairs_end = n.args.size() - (n.has_else ? 1 : 0);
  for (size_t i = 1; !operand.null && i + 1 < pairs_end; i += 2) {
    Value when = evaluate(*n.args[i], ctx);
    bool ok = true;
    if (!when.null && compare_values(operand, when, n.operand_type, ctx, ok) == 0 && ok)
      return evaluate(*n.args[i + 1], ctx);
  }
  return n.has_else ? evaluate(*n.args.back(), ctx) : Value::null_value();
}

Value eval_coalesce(const Node& n, EvalContext& ctx) {
  for (const NodePtr& arg : n.args) {
    Value v = evaluate(*arg, ctx);
    if (!v.null) return v;
  }
  return Value::null_value();
}

// args[0] is the value returned; args[1] and args[2] are both sides converted to the
// comparison type.
Value eval_nullif(const Node& n, EvalContext& ctx) {
  Value a = evaluate(*n.args[0], ctx);
  if (a.null) return a;
  Value left = evaluate(*n.args[1], ctx);
  Value right = evaluate(*n.args[2], ctx);
  bool ok = true;
  if (!right.null && compare_values(left, right, n.operand_type, ctx, ok) == 0 && ok)
    return Value::null_value();
  return a;
}

}  // namespace

Value eval_function(const Node& n, EvalContext& ctx);

Value evaluate(const Node& n, EvalContext& ctx) {
  switch (n.op) {
    case Opcode::kColumn: {
      const PackedRow* row = ctx.rows[n.slot];
      return row == nullptr ? Value::null_value() : read_cell(*row, n.column, n.type, ctx);
    }
    case Opcode::kConst:
      return n.constant;
    case Opcode::kCast:
      return cast_value(evaluate(*n.args[0], ctx), n.args[0]->type, n.type, n.typmod, ctx);
    case Opcode::kAnd:
      return eval_logic(n, ctx, true);
    case Opcode::kOr:
      return eval_logic(n, ctx, false);
    case Opcode::kNot: {
      Value v = evaluate(*n.args[0], ctx);
      return v.null ? v : Value::of_bool(v.i == 0);
    }
    case Opcode::kIsNull:
      return Value::of_bool(evaluate(*n.args[0], ctx).null);
    case Opcode::kIsNotNull:
      return Value::of_bool(!evaluate(*n.args[0], ctx).null);
    case Opcode::kCompare:
      return eval_compare(n, ctx);
    case Opcode::kArith:
      return eval_arith(n, ctx);
    case Opcode::kNegate:
      return eval_negate(n, ctx);
    case Opcode::kConcat:
      return eval_concat(n, ctx);
    case Opcode::kCase:
      return eval_case(n, ctx);
    case Opcode::kSimpleCase:
      return eval_simple_case(n, ctx);
    case Opcode::kCoalesce:
      return eval_coalesce(n, ctx);
    case Opcode::kNullIf:
      return eval_nullif(n, ctx);
    default:
      return eval_function(n, ctx);
  }
}

}  // namespace sluice::transform
