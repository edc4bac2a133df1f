#include "transform/function_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::transform {
namespace {

using enum FunctionShape;

// In the order the reference lists them: null handling, text, time, privacy.
constexpr FunctionSpec kFunctions[] = {
    {{"coalesce"},
     kCoalesce,
     Opcode::kCoalesce,
     0,
     0,
     ExprType::kUnknown,
     "`COALESCE(a, b, ...)`",
     "`COALESCE(e.location, 'unknown')`",
     "first non-null"},
    {{"nullif"},
     kNullIf,
     Opcode::kNullIf,
     0,
     0,
     ExprType::kUnknown,
     "`NULLIF(a, b)`",
     "`NULLIF(c.phone, '')`",
     "NULL when a = b"},
    {{"lower"},
     kText,
     Opcode::kLower,
     1,
     1,
     ExprType::kUnknown,
     "`LOWER(x)`",
     "`lower('ÀÉÎ')`",
     "`àéî` (ASCII and Latin-1 letters)"},
    {{"upper"},
     kText,
     Opcode::kUpper,
     1,
     1,
     ExprType::kUnknown,
     "`UPPER(x)`",
     "`upper('jürgen')`",
     "`JÜRGEN` (ASCII and Latin-1 letters)"},
    {{"trim", "btrim"},
     kText,
     Opcode::kTrim,
     1,
     2,
     ExprType::kUnknown,
     "`TRIM([LEADING\\|TRAILING\\|BOTH] [chars FROM] x)`, `btrim(x [, chars])`",
     "`trim('  S-1 ')`",
     "`S-1`"},
    {{"ltrim"},
     kText,
     Opcode::kTrim,
     1,
     2,
     ExprType::kUnknown,
     "`ltrim(x [, chars])`",
     "`ltrim('xxaxx', 'x')`",
     "`axx`"},
    {{"rtrim"},
     kText,
     Opcode::kTrim,
     1,
     2,
     ExprType::kUnknown,
     "`rtrim(x [, chars])`",
     "`rtrim('xxaxx', 'x')`",
     "`xxa`"},
    {{"substring", "substr"},
     kSubstring,
     Opcode::kSubstring,
     0,
     0,
     ExprType::kUnknown,
     "`SUBSTRING(x FROM a [FOR b])`, `SUBSTRING(x, a [, b])`, `substr`",
     "`substring('Teresa Stein', 1, 6)`",
     "`Teresa` (characters, PostgreSQL rules for a < 1)"},
    {{"length", "char_length", "character_length"},
     kLength,
     Opcode::kLength,
     0,
     0,
     ExprType::kUnknown,
     "`LENGTH(x)`, `char_length`, `character_length`",
     "`length('héllo')`",
     "`5`"},
    {{"replace"},
     kText,
     Opcode::kReplace,
     3,
     3,
     ExprType::kUnknown,
     "`REPLACE(x, from, to)`",
     "`replace(e.location, ', US', '')`",
     "`Seattle`"},
    {{"date_trunc"},
     kTemporal,
     Opcode::kDateTrunc,
     0,
     0,
     ExprType::kUnknown,
     "`date_trunc('unit', ts)`",
     "`date_trunc('month', a.created_at)`",
     "`2021-08-01 00:00:00`; units microseconds … millennium, weeks start on Monday"},
    {{"extract", "date_part"},
     kTemporal,
     Opcode::kExtract,
     0,
     0,
     ExprType::kUnknown,
     "`EXTRACT(field FROM ts)`, `date_part('field', ts)`",
     "`EXTRACT(dow FROM e.start_date)`",
     "numeric: `3`; `second` and `epoch` with 6 decimals as in PostgreSQL 14"},
    {{"now"},
     kNiladic,
     Opcode::kNow,
     0,
     0,
     ExprType::kTimestampTz,
     "`now()`, `CURRENT_TIMESTAMP`",
     "`now()`",
     "the **commit time of the source change** (timestamptz), never the wall clock, so a "
     "replay gives the same rows"},
    {{"current_date"},
     kNiladic,
     Opcode::kCurrentDate,
     0,
     0,
     ExprType::kDate,
     "`current_date`",
     "`current_date`",
     "the commit date"},
    {{"sha256"},
     kPrivacy,
     Opcode::kSha256,
     0,
     0,
     ExprType::kUnknown,
     "`sha256(x)`",
     "`sha256('teresa@example.com')`",
     "`b5606b17…1a82f9` (64 lowercase hex; any type hashed as its text)"},
    {{"hmac_sha256"},
     kHmac,
     Opcode::kHmacSha256,
     0,
     0,
     ExprType::kUnknown,
     "`hmac_sha256(x, 'ENV_VAR')`",
     "`hmac_sha256(c.email, 'EMAIL_TOKEN_KEY')`",
     "64 lowercase hex, keyed"},
    {{"mask_digits"},
     kPrivacy,
     Opcode::kMaskDigits,
     0,
     0,
     ExprType::kUnknown,
     "`mask_digits(x)`",
     "`mask_digits('087-237-9316x2670')`",
     "`***-***-****x****`"},
    {{"mask"},
     kMask,
     Opcode::kMask,
     0,
     0,
     ExprType::kUnknown,
     "`mask(x, keep_last => n)`, `mask(x, n)`, `mask(x)`",
     "`mask('4111111111111111', keep_last => 4)`",
     "`************1111`"},
    {{"redact"},
     kPrivacy,
     Opcode::kRedact,
     0,
     0,
     ExprType::kUnknown,
     "`redact(x)`",
     "`redact(c.name)`",
     "`REDACTED` (NULL stays NULL)"},
    {{"email_domain"},
     kPrivacy,
     Opcode::kEmailDomain,
     0,
     0,
     ExprType::kUnknown,
     "`email_domain(x)`",
     "`email_domain('Teresa@Example.COM')`",
     "`example.com` (NULL without `@`)"},
};

}  // namespace

std::span<const FunctionSpec> function_catalog() {
  return kFunctions;
}

const FunctionSpec* find_function(std::string_view name) {
  for (const FunctionSpec& spec : kFunctions)
    if (std::ranges::find(spec.names, name) != spec.names.end() && !name.empty()) return &spec;
  return nullptr;
}

std::string function_names() {
  std::string out;
  for (const FunctionSpec& spec : kFunctions) {
    if (!out.empty()) out += ", ";
    out += spec.names[0];
  }
  return out;
}

std::string function_reference() {
  std::string out = "| function | example | result |\n|---|---|---|\n";
  for (const FunctionSpec& spec : kFunctions)
    out += fmt::format("| {} | {} | {} |\n", spec.forms, spec.example, spec.gives);
  return out;
}

}  // namespace sluice::transform
