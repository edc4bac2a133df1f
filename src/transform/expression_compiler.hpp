#pragma once
// Resolves names and types of a parsed expression and builds its evaluable tree. Every
// mistake (unknown column, type mismatch, bad literal, missing key variable) is a
// ConfigError at the line and column of the offending text.

#include <string>
#include <vector>

#include "core/schema.hpp"
#include "transform/expression.hpp"
#include "transform/flow_ast.hpp"

namespace sluice::transform {

// A table visible to expressions: the driving table is slot 0, lookups follow in
// JOIN order.
struct ScopeSlot {
  std::string alias;
  TableSchemaPtr table;
};

class ExpressionCompiler {
 public:
  // Only the first `visible` slots may be referenced (WHERE sees the driving row only);
  // `clause` names the place for messages ("WHERE").
  ExpressionCompiler(const std::vector<ScopeSlot>& slots, size_t visible, std::string clause);

  // A value expression; untyped literals become text.
  NodePtr compile(const Ast& ast);
  // A boolean expression (WHERE, ON).
  NodePtr compile_condition(const Ast& ast);
  // Resolves a column reference to (slot, column index).
  std::pair<size_t, size_t> resolve_column(const Ast& column) const;

 private:
  NodePtr expr(const Ast& ast);
  NodePtr column(const Ast& ast);
  NodePtr literal(const Ast& ast);
  NodePtr unary(const Ast& ast);
  NodePtr binary(const Ast& ast);
  NodePtr logic(const Ast& ast);
  NodePtr comparison(const Ast& ast);
  NodePtr arithmetic(const Ast& ast);
  NodePtr date_arithmetic(const Ast& ast, NodePtr left, NodePtr right);
  NodePtr concat(const Ast& ast);
  NodePtr is_null(const Ast& ast);
  NodePtr case_expr(const Ast& ast);
  NodePtr simple_case(const Ast& ast);
  void type_results(Node& n, std::vector<NodePtr> results, const std::vector<SourcePos>& positions,
                    size_t first_slot);
  NodePtr cast(const Ast& ast);
  NodePtr call(const Ast& ast);
  NodePtr coalesce(const Ast& ast);
  NodePtr nullif(const Ast& ast);

  const std::vector<ScopeSlot>& slots_;
  size_t visible_;
  std::string clause_;
};

// Converts `node` to `to`, folding literals at compile time; ConfigError at `pos` when
// a literal does not convert or the types have no implicit conversion.
NodePtr coerce(NodePtr node, ExprType to, SourcePos pos);
// The type two operands meet in (PostgreSQL's implicit conversions), or kUnknown if none.
ExprType common_type(ExprType a, ExprType b);

}  // namespace sluice::transform
