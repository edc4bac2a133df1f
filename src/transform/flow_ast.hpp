#pragma once
// The parsed flow query, before names and types are resolved.

#include <memory>
#include <string>
#include <vector>

#include "transform/sql_lexer.hpp"

namespace sluice::transform {

enum class AstKind : uint8_t {
  kColumn,   // qualifier.name or name
  kLiteral,  // literal kind in `literal`
  kUnary,    // op: "-", "+", "not"
  kBinary,   // op: "and", "or", "=", "<>", "<", "<=", ">", ">=", "||", "+", "-", "*", "/", "%"
  kIsNull,   // negated: IS NOT NULL
  kCase,     // has_operand: CASE x WHEN ...; args: [operand] when, then, ..., [else]
  kCast,     // args[0]; cast_type
  kCall,     // name(args); arg_names parallel to args ("" for positional)
};

enum class LiteralKind : uint8_t { kNull, kString, kNumber, kBool };

struct CastType {
  std::string name;         // canonical: integer, bigint, numeric, text, varchar, ...
  std::vector<int> params;  // numeric(p,s), varchar(n)
};

struct Ast {
  AstKind kind = AstKind::kLiteral;
  SourcePos pos;
  std::string op;         // kUnary, kBinary
  std::string name;       // column or function name
  std::string qualifier;  // table alias of a column
  LiteralKind literal = LiteralKind::kNull;
  std::string text;  // literal text; "t"/"f" for booleans
  bool negated = false;
  bool has_operand = false;
  bool has_else = false;
  CastType cast_type;
  std::vector<std::unique_ptr<Ast>> args;
  std::vector<std::string> arg_names;
};

using AstPtr = std::unique_ptr<Ast>;

struct SelectItem {
  AstPtr expr;
  std::string alias;  // empty: derived from a bare column reference
  SourcePos pos;
};

struct TableRef {
  std::string schema;  // empty unless written schema.table
  std::string name;
  std::string alias;  // the name itself when no alias is written
  SourcePos pos;
};

struct JoinClause {
  TableRef table;
  bool left = true;  // false: inner JOIN
  AstPtr on;
  SourcePos pos;
};

struct FlowQuery {
  std::vector<SelectItem> items;
  TableRef from;
  std::vector<JoinClause> joins;
  AstPtr where;
};

}  // namespace sluice::transform
