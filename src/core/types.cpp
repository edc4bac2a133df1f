#include "core/types.hpp"

namespace sluice {

std::string_view logical_type_name(LogicalType t) {
  switch (t) {
    case LogicalType::kBool:
      return "bool";
    case LogicalType::kInt16:
      return "int16";
    case LogicalType::kInt32:
      return "int32";
    case LogicalType::kInt64:
      return "int64";
    case LogicalType::kFloat32:
      return "float32";
    case LogicalType::kFloat64:
      return "float64";
    case LogicalType::kNumeric:
      return "numeric";
    case LogicalType::kText:
      return "text";
    case LogicalType::kBytes:
      return "bytes";
    case LogicalType::kJson:
      return "json";
    case LogicalType::kDate:
      return "date";
    case LogicalType::kTime:
      return "time";
    case LogicalType::kTimestamp:
      return "timestamp";
    case LogicalType::kTimestampTz:
      return "timestamptz";
    case LogicalType::kUuid:
      return "uuid";
    case LogicalType::kOther:
      return "other";
  }
  return "?";
}

}  // namespace sluice
