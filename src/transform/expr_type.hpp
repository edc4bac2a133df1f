#pragma once
// The static types of flow expressions and how each is held while evaluating.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace sluice::transform {

// Representation while evaluating (Value): kBool, kInt32, kInt64 in `i`; kFloat64 in `d`;
// kDate as days and kTimestamp/kTimestampTz as microseconds since 1970-01-01 in `i`;
// kNumeric (decimal string), kText and kOther (any other source type, carried verbatim)
// in `text`. kUnknown is the type of a bare NULL or an untyped string literal before
// context decides, as in PostgreSQL.
enum class ExprType : uint8_t {
  kUnknown,
  kBool,
  kInt32,
  kInt64,
  kNumeric,
  kFloat64,
  kText,
  kDate,
  kTimestamp,
  kTimestampTz,
  kOther,
};

std::string_view expr_type_name(ExprType t);
ExprType expr_type_of(LogicalType t);
LogicalType logical_type_of(ExprType t);
// The PostgreSQL column type a computed value of this type gets in the warehouse.
std::string default_warehouse_type(ExprType t);

inline bool is_integer(ExprType t) {
  return t == ExprType::kInt32 || t == ExprType::kInt64;
}
inline bool is_number(ExprType t) {
  return is_integer(t) || t == ExprType::kNumeric || t == ExprType::kFloat64;
}
inline bool is_textual(ExprType t) {
  return t == ExprType::kText || t == ExprType::kOther || t == ExprType::kUnknown;
}
inline bool is_temporal(ExprType t) {
  return t == ExprType::kDate || t == ExprType::kTimestamp || t == ExprType::kTimestampTz;
}
inline bool held_as_text(ExprType t) {
  return t == ExprType::kNumeric || is_textual(t);
}

}  // namespace sluice::transform
