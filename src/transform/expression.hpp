#pragma once
// Compiled flow expressions: a typed tree built once at start (expression_compiler.cpp)
// and evaluated per row (expression_eval.cpp) with values as views into the stored rows
// or the scratch arena, so evaluating allocates nothing in the steady state.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/row.hpp"
#include "transform/datetime.hpp"
#include "transform/expr_type.hpp"
#include "transform/packed_row.hpp"
#include "transform/privacy_functions.hpp"
#include "transform/scratch_arena.hpp"
#include "transform/text_functions.hpp"

namespace sluice::transform {

// One value; which member holds it depends on the static type (see ExprType).
struct Value {
  int64_t i = 0;
  double d = 0;
  std::string_view text;
  bool null = true;

  static Value null_value() { return {}; }
  static Value of_int(int64_t v) { return {v, 0, {}, false}; }
  static Value of_bool(bool v) { return {v ? 1 : 0, 0, {}, false}; }
  static Value of_double(double v) { return {0, v, {}, false}; }
  static Value of_text(std::string_view v) { return {0, 0, v, false}; }
};

enum class Opcode : uint8_t {
  kColumn,
  kConst,
  kCast,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kIsNotNull,
  kCompare,
  kArith,
  kNegate,
  kConcat,
  kCase,        // args: when, then, ..., [else]
  kSimpleCase,  // args: operand, when, then, ..., [else]; compared in `operand_type`
  // The built-in functions, from here to the end: each has a row in function_catalog.cpp,
  // which checks that it does.
  kCoalesce,
  kNullIf,  // compared in `operand_type`
  kLower,
  kUpper,
  kTrim,
  kSubstring,
  kLength,
  kReplace,
  kDateTrunc,
  kExtract,
  kNow,
  kCurrentDate,
  kSha256,
  kHmacSha256,
  kMaskDigits,
  kMask,
  kRedact,
  kEmailDomain,
  kFirstFunction = kCoalesce,
  kLastFunction = kEmailDomain,
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };

// Type modifiers of a CAST target: numeric(precision, scale), varchar(length).
struct TypeMod {
  int precision = -1;
  int scale = -1;
  int length = -1;
};

struct Node {
  Opcode op = Opcode::kConst;
  ExprType type = ExprType::kUnknown;
  ExprType operand_type = ExprType::kUnknown;  // kCompare, kArith, kSimpleCase, kNullIf
  uint16_t slot = 0;                           // kColumn
  uint32_t column = 0;                         // kColumn
  CompareOp compare = CompareOp::kEq;
  ArithOp arith = ArithOp::kAdd;
  TrimSide trim = TrimSide::kBoth;
  TimeUnit unit = TimeUnit::kDay;
  bool has_else = false;
  int64_t keep_last = 0;  // kMask
  TypeMod typmod;         // kCast
  Value constant;         // kConst; text points into owned_text
  std::string owned_text;
  std::unique_ptr<HmacSha256> hmac;
  std::vector<std::unique_ptr<Node>> args;
  // What the warehouse column gets when this node is a SELECT item; logical_type kept
  // separately because a source column of an "other" type keeps its own.
  std::string warehouse_type;
  LogicalType logical_type = LogicalType::kText;
};

using NodePtr = std::unique_ptr<Node>;

// Per-evaluation state: the rows of the driving table and of each lookup (nullptr when
// the lookup found nothing), the arena, and the first error raised.
struct EvalContext {
  const PackedRow* const* rows = nullptr;
  ScratchArena arena;
  Sha256 sha;
  int64_t commit_time_us = 0;
  std::string error;

  bool failed() const { return !error.empty(); }
  Value fail(std::string_view message) {
    if (error.empty()) error = message;
    return Value::null_value();
  }
};

Value evaluate(const Node& node, EvalContext& ctx);
// True only for a non-null true: the WHERE and CASE WHEN rule.
inline bool is_true(const Value& v) {
  return !v.null && v.i != 0;
}

// Converts between types with CAST semantics; records an error in ctx on bad input.
Value cast_value(const Value& v, ExprType from, ExprType to, const TypeMod& typmod,
                 EvalContext& ctx);
// Appends the canonical text of `v` (of type `type`) as a cell of `out`.
void append_value(const Value& v, ExprType type, Row& out);
// Reads cell `column` of `row` as a value of `type`.
Value read_cell(const PackedRow& row, size_t column, ExprType type, EvalContext& ctx);

}  // namespace sluice::transform
