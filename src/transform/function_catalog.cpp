#include "transform/function_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::transform {
namespace {

using enum ArgType;

// In the order the reference lists them: null handling, text, time, privacy.
constexpr FunctionSpec kFunctions[] = {
    {.names = {"coalesce"},
     .op = Opcode::kCoalesce,
     .min_args = 1,
     .max_args = 64,
     .args = {kAny, kAny, kAny},
     .result = ResultType::kCommon,
     .forms = "`COALESCE(a, b, ...)`",
     .example = "`COALESCE(e.location, 'unknown')`",
     .gives = "first non-null"},
    {.names = {"nullif"},
     .op = Opcode::kNullIf,
     .min_args = 2,
     .max_args = 2,
     .args = {kAny, kAny},
     .result = ResultType::kFirst,
     .forms = "`NULLIF(a, b)`",
     .example = "`NULLIF(c.phone, '')`",
     .gives = "NULL when a = b"},
    {.names = {"lower"},
     .op = Opcode::kLower,
     .min_args = 1,
     .max_args = 1,
     .args = {kText},
     .result = ResultType::kText,
     .forms = "`LOWER(x)`",
     .example = "`lower('ÀÉÎ')`",
     .gives = "`àéî` (ASCII and Latin-1 letters)"},
    {.names = {"upper"},
     .op = Opcode::kUpper,
     .min_args = 1,
     .max_args = 1,
     .args = {kText},
     .result = ResultType::kText,
     .forms = "`UPPER(x)`",
     .example = "`upper('jürgen')`",
     .gives = "`JÜRGEN` (ASCII and Latin-1 letters)"},
    {.names = {"trim", "btrim"},
     .op = Opcode::kTrim,
     .min_args = 1,
     .max_args = 2,
     .args = {kText, kText},
     .result = ResultType::kText,
     .forms = "`TRIM([LEADING\\|TRAILING\\|BOTH] [chars FROM] x)`, `btrim(x [, chars])`",
     .example = "`trim('  S-1 ')`",
     .gives = "`S-1`"},
    {.names = {"ltrim"},
     .op = Opcode::kTrim,
     .min_args = 1,
     .max_args = 2,
     .args = {kText, kText},
     .result = ResultType::kText,
     .trim = TrimSide::kLeading,
     .forms = "`ltrim(x [, chars])`",
     .example = "`ltrim('xxaxx', 'x')`",
     .gives = "`axx`"},
    {.names = {"rtrim"},
     .op = Opcode::kTrim,
     .min_args = 1,
     .max_args = 2,
     .args = {kText, kText},
     .result = ResultType::kText,
     .trim = TrimSide::kTrailing,
     .forms = "`rtrim(x [, chars])`",
     .example = "`rtrim('xxaxx', 'x')`",
     .gives = "`xxa`"},
    {.names = {"substring", "substr"},
     .op = Opcode::kSubstring,
     .min_args = 2,
     .max_args = 3,
     .args = {kText, kInteger, kInteger},
     .result = ResultType::kText,
     .forms = "`SUBSTRING(x FROM a [FOR b])`, `SUBSTRING(x, a [, b])`, `substr`",
     .example = "`substring('Teresa Stein', 1, 6)`",
     .gives = "`Teresa` (characters, PostgreSQL rules for a < 1)"},
    {.names = {"length", "char_length", "character_length"},
     .op = Opcode::kLength,
     .min_args = 1,
     .max_args = 1,
     .args = {kText},
     .result = ResultType::kInteger,
     .forms = "`LENGTH(x)`, `char_length`, `character_length`",
     .example = "`length('héllo')`",
     .gives = "`5`"},
    {.names = {"replace"},
     .op = Opcode::kReplace,
     .min_args = 3,
     .max_args = 3,
     .args = {kText, kText, kText},
     .result = ResultType::kText,
     .forms = "`REPLACE(x, from, to)`",
     .example = "`replace(e.location, ', US', '')`",
     .gives = "`Seattle`"},
    {.names = {"date_trunc"},
     .op = Opcode::kDateTrunc,
     .min_args = 2,
     .max_args = 2,
     .args = {kUnit, kTemporal},
     .result = ResultType::kTimestamp,
     .forms = "`date_trunc('unit', ts)`",
     .example = "`date_trunc('month', a.created_at)`",
     .gives = "`2021-08-01 00:00:00`; units microseconds … millennium, weeks start on Monday"},
    {.names = {"extract", "date_part"},
     .op = Opcode::kExtract,
     .min_args = 2,
     .max_args = 2,
     .args = {kField, kTemporal},
     .result = ResultType::kNumeric,
     .forms = "`EXTRACT(field FROM ts)`, `date_part('field', ts)`",
     .example = "`EXTRACT(dow FROM e.start_date)`",
     .gives = "numeric: `3`; `second` and `epoch` with 6 decimals as in PostgreSQL 14"},
    {.names = {"now"},
     .op = Opcode::kNow,
     .min_args = 0,
     .max_args = 0,
     .args = {},
     .result = ResultType::kTimestampTz,
     .forms = "`now()`, `CURRENT_TIMESTAMP`",
     .example = "`now()`",
     .gives = "the **commit time of the source change** (timestamptz), never the wall clock, so a "
              "replay gives the same rows"},
    {.names = {"current_date"},
     .op = Opcode::kCurrentDate,
     .min_args = 0,
     .max_args = 0,
     .args = {},
     .result = ResultType::kDate,
     .forms = "`current_date`",
     .example = "`current_date`",
     .gives = "the commit date"},
    {.names = {"sha256"},
     .op = Opcode::kSha256,
     .min_args = 1,
     .max_args = 1,
     .args = {kAnyAsText},
     .result = ResultType::kText,
     .warehouse_type = "character(64)",
     .forms = "`sha256(x)`",
     .example = "`sha256('teresa@example.com')`",
     .gives = "`b5606b17…1a82f9` (64 lowercase hex; any type hashed as its text)"},
    {.names = {"hmac_sha256"},
     .op = Opcode::kHmacSha256,
     .min_args = 2,
     .max_args = 2,
     .args = {kAnyAsText, kKeyVariable},
     .result = ResultType::kText,
     .warehouse_type = "character(64)",
     .forms = "`hmac_sha256(x, 'ENV_VAR')`",
     .example = "`hmac_sha256(c.email, 'EMAIL_TOKEN_KEY')`",
     .gives = "64 lowercase hex, keyed"},
    {.names = {"mask_digits"},
     .op = Opcode::kMaskDigits,
     .min_args = 1,
     .max_args = 1,
     .args = {kAnyAsText},
     .result = ResultType::kText,
     .forms = "`mask_digits(x)`",
     .example = "`mask_digits('087-237-9316x2670')`",
     .gives = "`***-***-****x****`"},
    {.names = {"mask"},
     .op = Opcode::kMask,
     .min_args = 1,
     .max_args = 2,
     .args = {kAnyAsText, kKeepLast},
     .result = ResultType::kText,
     .forms = "`mask(x, keep_last => n)`, `mask(x, n)`, `mask(x)`",
     .example = "`mask('4111111111111111', keep_last => 4)`",
     .gives = "`************1111`"},
    {.names = {"redact"},
     .op = Opcode::kRedact,
     .min_args = 1,
     .max_args = 1,
     .args = {kAnyAsText},
     .result = ResultType::kText,
     .forms = "`redact(x)`",
     .example = "`redact(c.name)`",
     .gives = "`REDACTED` (NULL stays NULL)"},
    {.names = {"email_domain"},
     .op = Opcode::kEmailDomain,
     .min_args = 1,
     .max_args = 1,
     .args = {kText},
     .result = ResultType::kText,
     .forms = "`email_domain(x)`",
     .example = "`email_domain('Teresa@Example.COM')`",
     .gives = "`example.com` (NULL without `@`)"},
};

// Every opcode from kFirstFunction to kLastFunction is a function with a row, and every
// row's opcode is one of them: a new function opcode cannot miss its compiler entry, its
// place in the error message or its reference line.
constexpr bool has_row(Opcode op) {
  return std::ranges::any_of(kFunctions, [op](const FunctionSpec& spec) { return spec.op == op; });
}
constexpr bool every_function_opcode_has_a_row() {
  for (auto op = static_cast<int>(Opcode::kFirstFunction);
       op <= static_cast<int>(Opcode::kLastFunction); ++op)
    if (!has_row(static_cast<Opcode>(op))) return false;
  return std::ranges::all_of(kFunctions, [](const FunctionSpec& spec) {
    return spec.op >= Opcode::kFirstFunction && spec.op <= Opcode::kLastFunction;
  });
}
static_assert(every_function_opcode_has_a_row());

constexpr bool arities_fit_their_types() {
  return std::ranges::all_of(kFunctions, [](const FunctionSpec& spec) {
    return spec.min_args <= spec.max_args &&
           (spec.max_args <= kListedArgs || spec.arg(kListedArgs - 1) == spec.arg(0));
  });
}
static_assert(arities_fit_their_types());

std::string_view arg_type_name(ArgType type) {
  switch (type) {
    case kAny:
    case kAnyAsText:
      return "any";
    case kText:
      return "text";
    case kInteger:
      return "integer";
    case kTemporal:
      return "date or timestamp";
    case kUnit:
      return "'unit'";
    case kField:
      return "'field'";
    case kKeyVariable:
      return "'ENV_VAR'";
    case kKeepLast:
      return "keep_last";
  }
  return "";
}

std::string_view result_type_name(ResultType type) {
  switch (type) {
    case ResultType::kCommon:
      return "common type";
    case ResultType::kFirst:
      return "type of a";
    case ResultType::kText:
      return "text";
    case ResultType::kInteger:
      return "integer";
    case ResultType::kNumeric:
      return "numeric";
    case ResultType::kTimestamp:
      return "timestamp, timestamptz for timestamptz";
    case ResultType::kTimestampTz:
      return "timestamptz";
    case ResultType::kDate:
      return "date";
  }
  return "";
}

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

std::string function_signature(const FunctionSpec& spec) {
  std::string args;
  bool variadic = spec.max_args > kListedArgs;
  size_t shown = variadic ? std::max<size_t>(spec.min_args, 1) : spec.max_args;
  for (size_t i = 0; i < shown; ++i) {
    std::string arg = fmt::format("{}{}", i == 0 ? "" : ", ", arg_type_name(spec.arg(i)));
    args += i < spec.min_args ? arg : "[" + arg + "]";
  }
  if (variadic) args += ", ...";
  std::string result(result_type_name(spec.result));
  if (!spec.warehouse_type.empty()) result += fmt::format(" ({})", spec.warehouse_type);
  return fmt::format("({}) → {}", args, result);
}

std::string function_reference() {
  std::string out = "| function | types | example | result |\n|---|---|---|---|\n";
  for (const FunctionSpec& spec : kFunctions)
    out += fmt::format("| {} | {} | {} | {} |\n", spec.forms, function_signature(spec),
                       spec.example, spec.gives);
  return out;
}

}  // namespace sluice::transform
