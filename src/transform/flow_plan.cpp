#include "transform/flow_plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>

#include "core/error.hpp"
#include "transform/flow_parser.hpp"

namespace sluice::transform {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

TableSchemaPtr find_table(const TableRef& ref, const std::vector<TableSchemaPtr>& captured) {
  std::vector<TableSchemaPtr> found;
  for (const TableSchemaPtr& t : captured) {
    if (iequals(t->name, ref.name) && (ref.schema.empty() || iequals(t->schema, ref.schema)))
      found.push_back(t);
  }
  if (found.size() > 1) {
    auto exact = std::ranges::find_if(found, [&](auto& t) { return t->name == ref.name; });
    if (!ref.schema.empty() || exact == found.end())
      throw_at(ref.pos, fmt::format("table '{}' is ambiguous: write {}.{} or {}.{}", ref.name,
                                    found[0]->schema, ref.name, found[1]->schema, ref.name));
    throw_at(ref.pos, fmt::format("table '{}' exists in schemas {} and {}: qualify it", ref.name,
                                  found[0]->schema, found[1]->schema));
  }
  if (found.empty()) {
    std::string names;
    for (const TableSchemaPtr& t : captured) names += (names.empty() ? "" : ", ") + t->name;
    throw_at(ref.pos, fmt::format("table '{}' is not captured by this pipeline (captured: {})",
                                  ref.schema.empty() ? ref.name : ref.schema + "." + ref.name,
                                  names.empty() ? "none" : names));
  }
  if (!found[0]->has_key())
    throw_at(ref.pos, fmt::format("table '{}' has no primary key; flows keep state by key",
                                  found[0]->qualified_name()));
  return found[0];
}

void flatten_and(const Ast& ast, std::vector<const Ast*>& out) {
  if (ast.kind == AstKind::kBinary && ast.op == "and") {
    flatten_and(*ast.args[0], out);
    flatten_and(*ast.args[1], out);
  } else {
    out.push_back(&ast);
  }
}

constexpr std::string_view kOnShape =
    "ON must compare the joined table's primary key with columns of one earlier table, "
    "e.g. ON t.ticket_id = a.ticket_id [AND ...]";

bool join_types_match(ExprType a, ExprType b) {
  return a == b || (is_integer(a) && is_integer(b)) || (is_textual(a) && is_textual(b));
}

JoinPlan plan_join(const JoinClause& clause, size_t slot, const std::vector<ScopeSlot>& slots) {
  ExpressionCompiler resolver(slots, slot + 1, "ON");
  std::vector<const Ast*> terms;
  flatten_and(*clause.on, terms);
  const TableSchema& joined = *slots[slot].table;
  std::vector<size_t> key = joined.key_indexes();
  JoinPlan plan{slot, slot, std::vector<size_t>(key.size(), SIZE_MAX), !clause.left};
  for (const Ast* term : terms) {
    if (term->kind != AstKind::kBinary || term->op != "=" ||
        term->args[0]->kind != AstKind::kColumn || term->args[1]->kind != AstKind::kColumn)
      throw_at(term->pos, kOnShape);
    auto a = resolver.resolve_column(*term->args[0]);
    auto b = resolver.resolve_column(*term->args[1]);
    const Ast* joined_side = term->args[0].get();
    if (b.first == slot) {
      std::swap(a, b);
      joined_side = term->args[1].get();
    }
    if (a.first != slot || b.first == slot) throw_at(term->pos, kOnShape);
    if (plan.parent_slot != slot && plan.parent_slot != b.first)
      throw_at(term->pos, fmt::format("{} (this ON uses both '{}' and '{}')", kOnShape,
                                      slots[plan.parent_slot].alias, slots[b.first].alias));
    plan.parent_slot = b.first;
    auto k = std::ranges::find(key, a.second);
    if (k == key.end())
      throw_at(joined_side->pos,
               fmt::format("'{}' is not part of {}'s primary key; lookups must match the key",
                           joined.columns[a.second].name, joined.qualified_name()));
    ExprType ta = expr_type_of(joined.columns[a.second].type);
    ExprType tb = expr_type_of(slots[b.first].table->columns[b.second].type);
    if (!join_types_match(ta, tb))
      throw_at(term->pos, fmt::format("ON compares {} with {}; a lookup needs matching types",
                                      expr_type_name(ta), expr_type_name(tb)));
    plan.parent_columns[static_cast<size_t>(k - key.begin())] = b.second;
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (plan.parent_columns[i] == SIZE_MAX)
      throw_at(clause.on->pos, fmt::format("ON does not match key column '{}' of {}",
                                           joined.columns[key[i]].name, joined.qualified_name()));
  }
  return plan;
}

bool uses_only_driving(const Node& n) {
  if (n.op == Opcode::kColumn && n.slot != 0) return false;
  return std::ranges::all_of(n.args, [](const NodePtr& a) { return !a || uses_only_driving(*a); });
}

void plan_outputs(FlowPlan& plan, const FlowQuery& query) {
  ExpressionCompiler compiler(plan.slots, plan.slots.size(), "SELECT");
  for (const SelectItem& item : query.items) {
    OutputColumn out;
    out.expr = compiler.compile(*item.expr);
    out.direct = item.expr->kind == AstKind::kColumn;
    out.name = !item.alias.empty() ? item.alias
               : out.direct ? plan.slots[out.expr->slot].table->columns[out.expr->column].name
                            : "";
    if (out.name.empty())
      throw_at(item.pos, "name this expression with AS, e.g. sha256(c.email) AS email_hash");
    for (const OutputColumn& earlier : plan.outputs)
      if (earlier.name == out.name)
        throw_at(item.pos, fmt::format("output column '{}' appears twice", out.name));
    plan.outputs.push_back(std::move(out));
  }
}

void plan_key(FlowPlan& plan, const FlowConfig& flow) {
  if (flow.key.empty()) throw ConfigError(fmt::format("flow {}: key is empty", flow.name));
  for (const std::string& k : flow.key) {
    auto it = std::ranges::find_if(plan.outputs, [&](auto& o) { return o.name == k; });
    if (it == plan.outputs.end())
      throw ConfigError(
          fmt::format("flow {}: key column '{}' is not in the SELECT list", flow.name, k));
    // The destination key must follow the driving row alone: a key computed from a lookup
    // would move whenever a dimension row changes.
    if (!uses_only_driving(*it->expr))
      throw ConfigError(
          fmt::format("flow {}: key column '{}' must be computed from the driving table '{}' only",
                      flow.name, k, plan.slots[0].alias));
    plan.key_outputs.push_back(static_cast<size_t>(it - plan.outputs.begin()));
  }
  // One destination row per driving row: with the driving table's primary key as the
  // destination key, no two driving rows share a destination row, and a driving row whose
  // key changes deletes the row under its old key.
  std::vector<size_t> driving_key = plan.slots[0].table->key_indexes();
  std::vector<size_t> named;
  for (size_t o : plan.key_outputs) {
    const Node& expr = *plan.outputs[o].expr;
    if (expr.op == Opcode::kColumn && expr.slot == 0) named.push_back(expr.column);
  }
  std::ranges::sort(driving_key);
  std::ranges::sort(named);
  if (named != driving_key || named.size() != plan.key_outputs.size()) {
    std::vector<std::string> columns;
    for (size_t c : driving_key) columns.push_back(plan.slots[0].table->columns[c].name);
    throw ConfigError(fmt::format(
        "flow {}: key must be the primary key of the driving table {} ({}), each column "
        "selected as it is (renaming is fine)",
        flow.name, plan.slots[0].table->qualified_name(), fmt::join(columns, ", ")));
  }
}

TableSchemaPtr output_schema(const FlowPlan& plan) {
  auto schema = std::make_shared<TableSchema>();
  schema->name = plan.name;
  for (size_t i = 0; i < plan.outputs.size(); ++i) {
    const Node& n = *plan.outputs[i].expr;
    Column c;
    c.name = plan.outputs[i].name;
    c.type = n.logical_type;
    c.warehouse_type = n.warehouse_type;
    c.is_key = std::ranges::find(plan.key_outputs, i) != plan.key_outputs.end();
    schema->columns.push_back(std::move(c));
  }
  return schema;
}

}  // namespace

FlowPlan plan_flow(const FlowConfig& flow, const std::vector<TableSchemaPtr>& captured) {
  FlowQuery query = parse_flow_sql(flow.sql, flow.sql_line > 0 ? flow.sql_line : 1);
  FlowPlan plan;
  plan.name = flow.name;
  plan.slots.push_back({query.from.alias, find_table(query.from, captured)});
  for (const JoinClause& j : query.joins) {
    for (const ScopeSlot& s : plan.slots)
      if (s.alias == j.table.alias)
        throw_at(j.table.pos, fmt::format("alias '{}' is used twice", j.table.alias));
    plan.slots.push_back({j.table.alias, find_table(j.table, captured)});
    plan.joins.push_back(plan_join(j, plan.slots.size() - 1, plan.slots));
  }
  if (query.where) {
    ExpressionCompiler where(plan.slots, 1, "WHERE");
    plan.where = where.compile_condition(*query.where);
  }
  plan_outputs(plan, query);
  plan_key(plan, flow);
  plan.output_schema = output_schema(plan);
  return plan;
}

}  // namespace sluice::transform
