#pragma once
// The flow language's built-in functions, declared once: the compiler dispatches on this
// table, its "unknown function" error lists it, and docs/flows.md's function reference is
// generated from it (`sluice functions-reference`), so the three cannot drift apart.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "transform/expression.hpp"

namespace sluice::transform {

// How a call is type-checked and built; each shape is one ExpressionCompiler method.
enum class FunctionShape : uint8_t {
  kCoalesce,  // any number of arguments of one common type
  kNullIf,
  kText,       // text arguments, text result; arity from min_args/max_args
  kSubstring,  // text, integer[, integer]
  kLength,
  kTemporal,  // 'unit' literal, date or timestamp
  kNiladic,   // no arguments; result type `result`
  kPrivacy,   // any value through its canonical text
  kHmac,      // value, 'ENV_VAR'
  kMask,      // value[, keep_last => n]
};

struct FunctionSpec {
  // The first name is the one the error message and the docs show; the rest (unused
  // slots empty) are aliases.
  std::array<std::string_view, 3> names;
  FunctionShape shape;
  Opcode op;
  uint8_t min_args = 0;  // kText only
  uint8_t max_args = 0;
  ExprType result = ExprType::kUnknown;  // kNiladic only
  // The reference row: call forms, an example, and what it gives.
  std::string_view forms;
  std::string_view example;
  std::string_view gives;
};

std::span<const FunctionSpec> function_catalog();

// The entry that has `name` (lowercase) among its names, or nullptr.
const FunctionSpec* find_function(std::string_view name);

// "coalesce, nullif, lower, ...": every function's first name, in table order.
std::string function_names();

// The Markdown table of docs/flows.md's function reference.
std::string function_reference();

}  // namespace sluice::transform
