#include "transform/expr_type.hpp"

namespace sluice::transform {

std::string_view expr_type_name(ExprType t) {
  switch (t) {
    case ExprType::kUnknown:
      return "unknown";
    case ExprType::kBool:
      return "boolean";
    case ExprType::kInt32:
      return "integer";
    case ExprType::kInt64:
      return "bigint";
    case ExprType::kNumeric:
      return "numeric";
    case ExprType::kFloat64:
      return "double precision";
    case ExprType::kText:
      return "text";
    case ExprType::kDate:
      return "date";
    case ExprType::kTimestamp:
      return "timestamp";
    case ExprType::kTimestampTz:
      return "timestamptz";
    case ExprType::kOther:
      return "other";
  }
  return "?";
}

ExprType expr_type_of(LogicalType t) {
  switch (t) {
    case LogicalType::kBool:
      return ExprType::kBool;
    case LogicalType::kInt16:
    case LogicalType::kInt32:
      return ExprType::kInt32;
    case LogicalType::kInt64:
      return ExprType::kInt64;
    case LogicalType::kFloat32:
    case LogicalType::kFloat64:
      return ExprType::kFloat64;
    case LogicalType::kNumeric:
      return ExprType::kNumeric;
    case LogicalType::kText:
      return ExprType::kText;
    case LogicalType::kDate:
      return ExprType::kDate;
    case LogicalType::kTimestamp:
      return ExprType::kTimestamp;
    case LogicalType::kTimestampTz:
      return ExprType::kTimestampTz;
    case LogicalType::kBytes:
    case LogicalType::kJson:
    case LogicalType::kTime:
    case LogicalType::kUuid:
    case LogicalType::kOther:
      return ExprType::kOther;
  }
  return ExprType::kOther;
}

LogicalType logical_type_of(ExprType t) {
  switch (t) {
    case ExprType::kBool:
      return LogicalType::kBool;
    case ExprType::kInt32:
      return LogicalType::kInt32;
    case ExprType::kInt64:
      return LogicalType::kInt64;
    case ExprType::kNumeric:
      return LogicalType::kNumeric;
    case ExprType::kFloat64:
      return LogicalType::kFloat64;
    case ExprType::kDate:
      return LogicalType::kDate;
    case ExprType::kTimestamp:
      return LogicalType::kTimestamp;
    case ExprType::kTimestampTz:
      return LogicalType::kTimestampTz;
    case ExprType::kUnknown:
    case ExprType::kText:
    case ExprType::kOther:
      return LogicalType::kText;
  }
  return LogicalType::kText;
}

std::string default_warehouse_type(ExprType t) {
  switch (t) {
    case ExprType::kBool:
      return "boolean";
    case ExprType::kInt32:
      return "integer";
    case ExprType::kInt64:
      return "bigint";
    case ExprType::kNumeric:
      return "numeric";
    case ExprType::kFloat64:
      return "double precision";
    case ExprType::kDate:
      return "date";
    case ExprType::kTimestamp:
      return "timestamp without time zone";
    case ExprType::kTimestampTz:
      return "timestamp with time zone";
    case ExprType::kUnknown:
    case ExprType::kText:
    case ExprType::kOther:
      return "text";
  }
  return "text";
}

}  // namespace sluice::transform
