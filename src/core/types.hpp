#pragma once
// Logical column types. Values travel as canonical text; the logical type says how a
// transform reads that text and which warehouse column type a new table gets.

#include <cstdint>
#include <string_view>

namespace sluice {

enum class LogicalType : uint8_t {
  kBool,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kNumeric,
  kText,
  kBytes,
  kJson,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kUuid,
  kOther,  // carried as text; the warehouse column uses the source's declared type
};

std::string_view logical_type_name(LogicalType t);

}  // namespace sluice
