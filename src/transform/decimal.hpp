#pragma once
// Exact decimal arithmetic for numeric values: a 128-bit integer and a scale, which
// covers 38 significant digits (numeric columns beyond that are rare; an operation that
// would exceed it reports an error rather than lose digits). Division and rounding
// follow PostgreSQL: division picks its result scale like numeric.c's select_div_scale,
// rounding is half away from zero.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::transform {

struct Decimal {
  __int128 value = 0;
  int scale = 0;  // digits after the point, 0..1000 like PostgreSQL's display scale
};

inline constexpr size_t kMaxDecimalText = 48;

// Accepts "-12.50", "+3", ".5", "1e3" and surrounding blanks.
std::optional<Decimal> parse_decimal(std::string_view text);
// Writes exactly `scale` digits after the point; `out` needs kMaxDecimalText bytes.
size_t format_decimal(const Decimal& d, char* out);

std::optional<Decimal> decimal_add(Decimal a, Decimal b);
std::optional<Decimal> decimal_sub(Decimal a, Decimal b);
std::optional<Decimal> decimal_mul(Decimal a, Decimal b);
// nullopt on overflow; the caller checks for a zero divisor first.
std::optional<Decimal> decimal_div(Decimal a, Decimal b);
std::optional<Decimal> decimal_mod(Decimal a, Decimal b);
int decimal_compare(Decimal a, Decimal b);
// Rounds half away from zero to `scale` digits; nullopt on overflow.
std::optional<Decimal> decimal_round(Decimal d, int scale);
// Total digits before the point (0 for |d| < 1), to check numeric(p,s).
int decimal_integer_digits(const Decimal& d);
std::optional<int64_t> decimal_to_int64(Decimal d);
double decimal_to_double(const Decimal& d);
std::optional<Decimal> decimal_from_double(double v);

}  // namespace sluice::transform
