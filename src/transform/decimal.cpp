#include "transform/decimal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "transform/text_functions.hpp"

namespace sluice::transform {
namespace {

constexpr int kMaxDigits = 38;

__int128 pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

__int128 abs128(__int128 v) {
  return v < 0 ? -v : v;
}

int digit_count(__int128 v) {
  v = abs128(v);
  int n = 0;
  while (v != 0) {
    v /= 10;
    ++n;
  }
  return n;
}

std::optional<__int128> scale_up(__int128 v, int by) {
  if (by > kMaxDigits) return v == 0 ? std::optional<__int128>(0) : std::nullopt;
  __int128 out;
  if (__builtin_mul_overflow(v, pow10(by), &out)) return std::nullopt;
  if (digit_count(out) > kMaxDigits) return std::nullopt;
  return out;
}

// Both values at the larger scale.
bool align(Decimal& a, Decimal& b) {
  if (a.scale < b.scale) {
    auto v = scale_up(a.value, b.scale - a.scale);
    if (!v) return false;
    a = {*v, b.scale};
  } else if (b.scale < a.scale) {
    auto v = scale_up(b.value, a.scale - b.scale);
    if (!v) return false;
    b = {*v, a.scale};
  }
  return true;
}

__int128 divide_rounded(__int128 n, __int128 d) {
  __int128 q = n / d;
  __int128 r = n % d;
  if (abs128(r) * 2 >= abs128(d)) q += ((n < 0) != (d < 0)) ? -1 : 1;
  return q;
}

std::optional<Decimal> checked(Decimal d) {
  if (digit_count(d.value) > kMaxDigits) return std::nullopt;
  return d;
}

// PostgreSQL's base-10000 weight and leading digit of |d| (d != 0).
void nbase_shape(const Decimal& d, int& weight, int& first_digit) {
  int e10 = digit_count(d.value) - 1 - d.scale;
  weight = e10 >= 0 ? e10 / 4 : -((-e10 + 3) / 4);
  int shift = d.scale + 4 * weight;
  __int128 v = abs128(d.value);
  first_digit = static_cast<int>(shift >= 0 ? v / pow10(shift) : v * pow10(-shift));
}

// numeric.c select_div_scale: at least 16 significant digits, never fewer decimals than
// either input shows.
int division_scale(const Decimal& a, const Decimal& b) {
  int w1 = 0, f1 = 0, w2 = 0, f2 = 0;
  if (a.value != 0) nbase_shape(a, w1, f1);
  if (b.value != 0) nbase_shape(b, w2, f2);
  int qweight = w1 - w2;
  if (f1 <= f2) --qweight;
  int rscale = 16 - qweight * 4;
  rscale = std::max({rscale, a.scale, b.scale, 0});
  return std::min(rscale, 1000);
}

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view s) {
  s = trim_blanks(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  __int128 v = 0;
  int scale = 0, digits = 0;
  bool any = false, point = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' && !point) {
      point = true;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      any = true;
      if (v != 0 || c != '0') ++digits;
      if (digits > kMaxDigits) return std::nullopt;
      v = v * 10 + (c - '0');
      if (point) ++scale;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
    int exponent = 0;
    std::string_view e = s.substr(i + 1);
    if (!e.empty() && e.front() == '+') e.remove_prefix(1);
    auto [end, ec] = std::from_chars(e.data(), e.data() + e.size(), exponent);
    if (ec != std::errc{} || end != e.data() + e.size() || e.empty() || std::abs(exponent) > 1000)
      return std::nullopt;
    scale -= exponent;
    if (scale < 0) {
      auto up = scale_up(v, -scale);
      if (!up) return std::nullopt;
      v = *up;
      scale = 0;
    }
  }
  if (scale > 1000) return std::nullopt;
  return Decimal{negative ? -v : v, scale};
}

size_t format_decimal(const Decimal& d, char* out) {
  char digits[kMaxDecimalText];
  __int128 v = abs128(d.value);
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  while (n <= d.scale) digits[n++] = '0';
  size_t len = 0;
  if (d.value < 0) out[len++] = '-';
  for (int i = n - 1; i >= 0; --i) {
    out[len++] = digits[i];
    if (i == d.scale && i != 0) out[len++] = '.';
  }
  return len;
}

std::optional<Decimal> decimal_add(Decimal a, Decimal b) {
  if (!align(a, b)) return std::nullopt;
  return checked({a.value + b.value, a.scale});
}

std::optional<Decimal> decimal_sub(Decimal a, Decimal b) {
  if (!align(a, b)) return std::nullopt;
  return checked({a.value - b.value, a.scale});
}

std::optional<Decimal> decimal_mul(Decimal a, Decimal b) {
  __int128 out;
  if (__builtin_mul_overflow(a.value, b.value, &out)) return std::nullopt;
  return checked({out, a.scale + b.scale});
}

std::optional<Decimal> decimal_div(Decimal a, Decimal b) {
  int rscale = division_scale(a, b);
  int shift = rscale + b.scale - a.scale;
  __int128 n = a.value, d = b.value;
  if (shift >= 0) {
    auto up = scale_up(n, shift);
    if (!up) return std::nullopt;
    n = *up;
  } else {
    auto up = scale_up(d, -shift);
    if (!up) return std::nullopt;
    d = *up;
  }
  return checked({divide_rounded(n, d), rscale});
}

std::optional<Decimal> decimal_mod(Decimal a, Decimal b) {
  if (!align(a, b)) return std::nullopt;
  return Decimal{a.value % b.value, a.scale};
}

int decimal_compare(Decimal a, Decimal b) {
  if (!align(a, b)) {
    double x = decimal_to_double(a), y = decimal_to_double(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

std::optional<Decimal> decimal_round(Decimal d, int scale) {
  if (scale >= d.scale) {
    auto up = scale_up(d.value, scale - d.scale);
    if (!up) return std::nullopt;
    return Decimal{*up, scale};
  }
  int drop = d.scale - scale;
  if (drop > kMaxDigits) return Decimal{0, scale};
  return Decimal{divide_rounded(d.value, pow10(drop)), scale};
}

int decimal_integer_digits(const Decimal& d) {
  return std::max(0, digit_count(d.value) - d.scale);
}

std::optional<int64_t> decimal_to_int64(Decimal d) {
  auto r = decimal_round(d, 0);
  if (!r || r->value > INT64_MAX || r->value < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(r->value);
}

double decimal_to_double(const Decimal& d) {
  char text[kMaxDecimalText];
  size_t n = format_decimal(d, text);
  double v = 0;
  std::from_chars(text, text + n, v);
  return v;
}

// Like PostgreSQL's float8 -> numeric cast: 15 significant digits.
std::optional<Decimal> decimal_from_double(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  auto d = parse_decimal(fmt::format("{:.15g}", v));
  if (!d) return std::nullopt;
  while (d->scale > 0 && d->value % 10 == 0) {
    d->value /= 10;
    --d->scale;
  }
  return d;
}

}  // namespace sluice::transform
