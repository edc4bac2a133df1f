// Conversions between the representations of flow values and their canonical text.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/civil_date.hpp"
#include "transform/decimal.hpp"
#include "transform/expression.hpp"
#include "transform/text_functions.hpp"

namespace sluice::transform {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

std::optional<int64_t> parse_int(std::string_view text) {
  std::string_view s = trim_blanks(text);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// PostgreSQL's boolin: t, true, yes, on, 1 and their opposites, any case, unique prefixes.
std::optional<bool> parse_bool(std::string_view text) {
  std::string_view s = trim_blanks(text);
  if (s.empty()) return std::nullopt;
  for (std::string_view word : {"true", "yes"})
    if (s.size() <= word.size() && iequals(s, word.substr(0, s.size()))) return true;
  for (std::string_view word : {"false", "no"})
    if (s.size() <= word.size() && iequals(s, word.substr(0, s.size()))) return false;
  if (iequals(s, "on") || s == "1") return true;
  if (iequals(s, "off") || iequals(s, "of") || s == "0") return false;
  return std::nullopt;
}

std::optional<double> parse_double(std::string_view text) {
  std::string_view s = trim_blanks(text);
  if (iequals(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (iequals(s, "infinity") || iequals(s, "inf") || iequals(s, "+infinity"))
    return std::numeric_limits<double>::infinity();
  if (iequals(s, "-infinity") || iequals(s, "-inf"))
    return -std::numeric_limits<double>::infinity();
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string_view write_double(double v, char* buf, size_t size) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return {buf, fmt::format_to_n(buf, size, "{}", v).size};
}

// The canonical text of a value; `buf` holds it when it is not already text.
std::string_view to_text(const Value& v, ExprType type, char* buf, size_t size) {
  switch (type) {
    case ExprType::kBool:
      return v.i != 0 ? "true" : "false";
    case ExprType::kInt32:
    case ExprType::kInt64:
      return {buf, static_cast<size_t>(std::to_chars(buf, buf + size, v.i).ptr - buf)};
    case ExprType::kFloat64:
      return write_double(v.d, buf, size);
    case ExprType::kDate:
      return {buf, format_date(v.i, buf)};
    case ExprType::kTimestamp:
      return {buf, format_timestamp(v.i, false, buf)};
    case ExprType::kTimestampTz:
      return {buf, format_timestamp(v.i, true, buf)};
    case ExprType::kUnknown:
    case ExprType::kNumeric:
    case ExprType::kText:
    case ExprType::kOther:
      return v.text;
  }
  return v.text;
}

constexpr size_t kTextBuf = 64;

Value integer_in_range(int64_t v, ExprType to, EvalContext& ctx) {
  if (to == ExprType::kInt32 && (v < INT32_MIN || v > INT32_MAX))
    return ctx.fail("integer out of range");
  return Value::of_int(v);
}

Value to_integer(const Value& v, ExprType from, ExprType to, EvalContext& ctx) {
  switch (from) {
    case ExprType::kInt32:
    case ExprType::kInt64:
      return integer_in_range(v.i, to, ctx);
    case ExprType::kBool:
      return Value::of_int(v.i);
    case ExprType::kFloat64: {
      double r = std::nearbyint(v.d);  // PostgreSQL rounds half to even here
      if (!std::isfinite(r) || r < -9.2233720368547758e18 || r >= 9.2233720368547758e18)
        return ctx.fail(to == ExprType::kInt32 ? "integer out of range" : "bigint out of range");
      return integer_in_range(static_cast<int64_t>(r), to, ctx);
    }
    case ExprType::kNumeric: {
      auto d = parse_decimal(v.text);
      if (!d) return ctx.fail("invalid numeric value");
      auto i = decimal_to_int64(*d);
      if (!i)
        return ctx.fail(to == ExprType::kInt32 ? "integer out of range" : "bigint out of range");
      return integer_in_range(*i, to, ctx);
    }
    default: {
      auto i = parse_int(v.text);
      if (!i) return ctx.fail(fmt::format("invalid input syntax for type {}", expr_type_name(to)));
      return integer_in_range(*i, to, ctx);
    }
  }
}

Value decimal_value(const Decimal& d, const TypeMod& mod, EvalContext& ctx) {
  Decimal out = d;
  if (mod.precision > 0) {
    int scale = std::max(mod.scale, 0);
    auto r = decimal_round(d, scale);
    if (!r || decimal_integer_digits(*r) > mod.precision - scale)
      return ctx.fail(
          fmt::format("numeric field overflow for numeric({},{})", mod.precision, scale));
    out = *r;
  }
  char* buf = ctx.arena.allocate(kMaxDecimalText);
  return Value::of_text({buf, format_decimal(out, buf)});
}

Value to_numeric(const Value& v, ExprType from, const TypeMod& mod, EvalContext& ctx) {
  std::optional<Decimal> d;
  switch (from) {
    case ExprType::kInt32:
    case ExprType::kInt64:
      d = Decimal{v.i, 0};
      break;
    case ExprType::kFloat64:
      d = decimal_from_double(v.d);
      if (!d) return ctx.fail("cannot convert infinity or NaN to numeric");
      break;
    case ExprType::kBool:
      return ctx.fail("cannot cast boolean to numeric");
    default:
      d = parse_decimal(v.text);
      if (!d) return ctx.fail("invalid input syntax for type numeric");
      if (mod.precision < 0 && from == ExprType::kNumeric) return v;
  }
  return decimal_value(*d, mod, ctx);
}

Value to_float(const Value& v, ExprType from, EvalContext& ctx) {
  switch (from) {
    case ExprType::kInt32:
    case ExprType::kInt64:
      return Value::of_double(static_cast<double>(v.i));
    case ExprType::kFloat64:
      return v;
    default: {
      auto d = parse_double(v.text);
      if (!d) return ctx.fail("invalid input syntax for type double precision");
      return Value::of_double(*d);
    }
  }
}

Value to_bool(const Value& v, ExprType from, EvalContext& ctx) {
  if (is_integer(from) || from == ExprType::kBool) return Value::of_bool(v.i != 0);
  auto b = parse_bool(v.text);
  if (!b) return ctx.fail("invalid input syntax for type boolean");
  return Value::of_bool(*b);
}

Value to_date(const Value& v, ExprType from, EvalContext& ctx) {
  if (from == ExprType::kDate) return v;
  if (from == ExprType::kTimestamp || from == ExprType::kTimestampTz)
    return Value::of_int(floor_div(v.i, kMicrosPerDay));
  auto d = parse_date(v.text);
  if (!d) return ctx.fail("invalid input syntax for type date");
  return Value::of_int(*d);
}

Value to_timestamp(const Value& v, ExprType from, ExprType to, EvalContext& ctx) {
  if (from == ExprType::kDate) return Value::of_int(v.i * kMicrosPerDay);
  if (from == ExprType::kTimestamp || from == ExprType::kTimestampTz) return v;
  auto t = parse_timestamp(v.text, to == ExprType::kTimestampTz);
  if (!t) return ctx.fail(fmt::format("invalid input syntax for type {}", expr_type_name(to)));
  return Value::of_int(*t);
}

// varchar(n) keeps the first n characters, as an explicit cast does in PostgreSQL.
Value to_text_value(const Value& v, ExprType from, const TypeMod& mod, EvalContext& ctx) {
  std::string_view text;
  if (held_as_text(from)) {
    text = v.text;
  } else {
    char buf[kTextBuf];
    text = ctx.arena.copy(to_text(v, from, buf, sizeof buf));
  }
  if (mod.length > 0) text = *substring_text(text, 1, mod.length);
  return Value::of_text(text);
}

}  // namespace

Value cast_value(const Value& v, ExprType from, ExprType to, const TypeMod& typmod,
                 EvalContext& ctx) {
  if (v.null) return v;
  switch (to) {
    case ExprType::kInt32:
    case ExprType::kInt64:
      return to_integer(v, from, to, ctx);
    case ExprType::kNumeric:
      return to_numeric(v, from, typmod, ctx);
    case ExprType::kFloat64:
      return to_float(v, from, ctx);
    case ExprType::kBool:
      return to_bool(v, from, ctx);
    case ExprType::kDate:
      return to_date(v, from, ctx);
    case ExprType::kTimestamp:
    case ExprType::kTimestampTz:
      return to_timestamp(v, from, to, ctx);
    case ExprType::kUnknown:
    case ExprType::kText:
    case ExprType::kOther:
      return to_text_value(v, from, typmod, ctx);
  }
  return v;
}

void append_value(const Value& v, ExprType type, Row& out) {
  if (v.null) {
    out.append_null();
    return;
  }
  if (type == ExprType::kBool) {
    out.append(v.i != 0 ? "t" : "f");  // COPY text form, unlike the cast to text
    return;
  }
  char buf[kTextBuf];
  out.append(to_text(v, type, buf, sizeof buf));
}

Value read_cell(const PackedRow& row, size_t column, ExprType type, EvalContext& ctx) {
  if (row.is_null(column)) return Value::null_value();
  std::string_view text = row.text(column);
  switch (type) {
    case ExprType::kInt32:
    case ExprType::kInt64:
    case ExprType::kBool:
    case ExprType::kFloat64:
    case ExprType::kDate:
    case ExprType::kTimestamp:
    case ExprType::kTimestampTz:
      return cast_value(Value::of_text(text), ExprType::kText, type, TypeMod{}, ctx);
    default:
      return Value::of_text(text);
  }
}

}  // namespace sluice::transform
