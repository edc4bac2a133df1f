#pragma once
// The flow language's built-in functions, declared once: each row gives a function's
// names, arity, argument and result types, opcode and reference text. The compiler checks
// and builds calls from the row (function_compiler.cpp), its "unknown function" error lists
// the names, and docs/flows.md's function reference is generated from the rows (`sluice
// functions-reference`), so none of them can drift apart. Evaluation switches on the
// opcode alone; the table is not consulted per row.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "transform/expression.hpp"

namespace sluice::transform {

// What an argument must be; the compiler checks and converts each by this.
enum class ArgType : uint8_t {
  kAny,        // any type; COALESCE's and NULLIF's arguments meet in a common type
  kAnyAsText,  // any type, taken as its canonical text
  kText,       // text (an untyped literal is text)
  kInteger,    // an integer type (an untyped literal is bigint)
  kTemporal,   // date or timestamp (an untyped literal is a timestamp)
  // Literals, read into the node at start rather than evaluated per row:
  kUnit,         // 'unit' of date_trunc
  kField,        // 'field' of EXTRACT
  kKeyVariable,  // 'ENV_VAR' holding the HMAC key
  kKeepLast,     // a non-negative integer, optionally named keep_last
};

// The type of a call's result.
enum class ResultType : uint8_t {
  kCommon,  // the type the arguments meet in
  kFirst,   // the first argument's
  kText,
  kInteger,
  kNumeric,
  kTimestamp,  // timestamptz from a timestamptz argument, timestamp otherwise
  kTimestampTz,
  kDate,
};

// Arity beyond the listed argument types repeats the last one.
inline constexpr size_t kListedArgs = 3;

struct FunctionSpec {
  // The first name is the one the error message and the docs show; the rest (unused
  // slots empty) are aliases.
  std::array<std::string_view, 3> names;
  Opcode op;
  uint8_t min_args;
  uint8_t max_args;
  std::array<ArgType, kListedArgs> args;
  ResultType result;
  std::string_view warehouse_type;  // empty: the one of `result`
  TrimSide trim = TrimSide::kBoth;  // kTrim only
  // The reference row: call forms, an example, and what it gives.
  std::string_view forms;
  std::string_view example;
  std::string_view gives;

  constexpr ArgType arg(size_t i) const { return args[i < kListedArgs ? i : kListedArgs - 1]; }
};

std::span<const FunctionSpec> function_catalog();

// The entry that has `name` (lowercase) among its names, or nullptr.
const FunctionSpec* find_function(std::string_view name);

// "coalesce, nullif, lower, ...": every function's first name, in table order.
std::string function_names();

// "text[, text] → text": the argument and result types of a row.
std::string function_signature(const FunctionSpec& spec);

// The Markdown table of docs/flows.md's function reference.
std::string function_reference();

}  // namespace sluice::transform
