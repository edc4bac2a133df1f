#pragma once
// Parses a flow's SELECT. Everything outside the subset is refused with a message that
// says what is supported, at the line and column of the offending word.

#include <string_view>

#include "transform/flow_ast.hpp"

namespace sluice::transform {

inline constexpr std::string_view kSupportedSubset =
    "a flow is SELECT expr [AS name], ... FROM table [alias] "
    "{[LEFT] JOIN table [alias] ON x.col = y.col [AND ...]} [WHERE condition]";

// `base_line` is the pipeline file line of the first SQL line. Throws ConfigError.
FlowQuery parse_flow_sql(std::string_view sql, int base_line);

// Parses a lone expression (tests and tools); throws ConfigError.
AstPtr parse_flow_expression(std::string_view text, int base_line);

}  // namespace sluice::transform
