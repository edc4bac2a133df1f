#pragma once
// Node-building helpers shared by the expression and function compilers.

#include <string_view>
#include <vector>

#include "transform/expression.hpp"
#include "transform/sql_lexer.hpp"

namespace sluice::transform::detail {

NodePtr make_node(Opcode op, ExprType type);
NodePtr with_args(NodePtr n, NodePtr a, NodePtr b = nullptr);
// A constant owning its text (the value may point into a temporary arena).
NodePtr make_const(const Value& v, ExprType type);
// Branches that all come from columns of one warehouse type keep it (COALESCE of two
// numeric(12,2) columns stays numeric(12,2)).
void inherit_warehouse_type(Node& n, const std::vector<const Node*>& branches);
// The type all `nodes` meet in (text when all are untyped); ConfigError at the first
// node that does not fit, naming `what`.
ExprType unify_types(const std::vector<NodePtr>& nodes, const std::vector<SourcePos>& positions,
                     std::string_view what);

}  // namespace sluice::transform::detail
