// Per-row evaluation of the built-in scalar functions (string, date/time, privacy).
#include "core/civil_date.hpp"
#include "transform/expression.hpp"

namespace sluice::transform {
namespace {

Value eval_trim(const Node& n, EvalContext& ctx) {
  Value s = evaluate(*n.args[0], ctx);
  if (s.null) return s;
  std::string_view chars = " ";
  if (n.args.size() > 1) {
    Value c = evaluate(*n.args[1], ctx);
    if (c.null) return c;
    chars = c.text;
  }
  return Value::of_text(trim_text(s.text, chars, n.trim));
}

Value eval_substring(const Node& n, EvalContext& ctx) {
  Value s = evaluate(*n.args[0], ctx);
  if (s.null) return s;
  Value start = evaluate(*n.args[1], ctx);
  if (start.null) return start;
  std::optional<int64_t> count;
  if (n.args.size() > 2) {
    Value c = evaluate(*n.args[2], ctx);
    if (c.null) return c;
    count = c.i;
  }
  auto r = substring_text(s.text, start.i, count);
  if (!r) return ctx.fail("negative substring length not allowed");
  return Value::of_text(*r);
}

Value eval_replace(const Node& n, EvalContext& ctx) {
  Value s = evaluate(*n.args[0], ctx);
  if (s.null) return s;
  Value from = evaluate(*n.args[1], ctx);
  if (from.null) return from;
  Value to = evaluate(*n.args[2], ctx);
  if (to.null) return to;
  return Value::of_text(replace_text(s.text, from.text, to.text, ctx.arena));
}

Value eval_extract(const Node& n, EvalContext& ctx) {
  Value t = evaluate(*n.args[0], ctx);
  if (t.null) return t;
  int64_t micros = n.args[0]->type == ExprType::kDate ? t.i * kMicrosPerDay : t.i;
  char* buf = ctx.arena.allocate(kMaxTimestampText);
  return Value::of_text({buf, extract_field(n.unit, micros, buf)});
}

Value eval_date_trunc(const Node& n, EvalContext& ctx) {
  Value t = evaluate(*n.args[0], ctx);
  if (t.null) return t;
  int64_t micros = n.args[0]->type == ExprType::kDate ? t.i * kMicrosPerDay : t.i;
  return Value::of_int(truncate_timestamp(n.unit, micros));
}

Value eval_privacy(const Node& n, EvalContext& ctx) {
  Value s = evaluate(*n.args[0], ctx);
  if (s.null) return s;
  switch (n.op) {
    case Opcode::kSha256:
      return Value::of_text(hex_digest(ctx.sha.digest(s.text), ctx.arena));
    case Opcode::kHmacSha256:
      return Value::of_text(hex_digest(n.hmac->mac(ctx.sha, s.text), ctx.arena));
    case Opcode::kMaskDigits:
      return Value::of_text(mask_digits(s.text, ctx.arena));
    case Opcode::kMask:
      return Value::of_text(mask_keep_last(s.text, n.keep_last, ctx.arena));
    case Opcode::kRedact:
      return Value::of_text(kRedactedMarker);
    case Opcode::kEmailDomain: {
      bool found = false;
      std::string_view domain = email_domain(s.text, found, ctx.arena);
      return found ? Value::of_text(domain) : Value::null_value();
    }
    default:
      return ctx.fail("not a privacy function");
  }
}

Value eval_unary_text(const Node& n, EvalContext& ctx) {
  Value s = evaluate(*n.args[0], ctx);
  if (s.null) return s;
  switch (n.op) {
    case Opcode::kLower:
      return Value::of_text(lower_text(s.text, ctx.arena));
    case Opcode::kUpper:
      return Value::of_text(upper_text(s.text, ctx.arena));
    default:
      return Value::of_int(utf8_length(s.text));
  }
}

}  // namespace

Value eval_function(const Node& n, EvalContext& ctx) {
  switch (n.op) {
    case Opcode::kLower:
    case Opcode::kUpper:
    case Opcode::kLength:
      return eval_unary_text(n, ctx);
    case Opcode::kTrim:
      return eval_trim(n, ctx);
    case Opcode::kSubstring:
      return eval_substring(n, ctx);
    case Opcode::kReplace:
      return eval_replace(n, ctx);
    case Opcode::kDateTrunc:
      return eval_date_trunc(n, ctx);
    case Opcode::kExtract:
      return eval_extract(n, ctx);
    case Opcode::kNow:
      return Value::of_int(ctx.commit_time_us);
    case Opcode::kCurrentDate:
      return Value::of_int(floor_div(ctx.commit_time_us, kMicrosPerDay));
    default:
      return eval_privacy(n, ctx);
  }
}

}  // namespace sluice::transform
