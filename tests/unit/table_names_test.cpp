#include "config/table_names.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "config_error.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

constexpr const char* kHead = R"(name: shop
source:
  type: postgres
  url: postgresql://repl@127.0.0.1:5432/shop
)";

std::string with_tables(const std::string& tables, const std::string& sink_type = "postgres") {
  return std::string(kHead) + tables + "sink:\n  type: " + sink_type +
         "\n  url: postgresql://loader@127.0.0.1:5433/dw\n  schema: mirror\n";
}

TableSchemaPtr table(const std::string& schema, const std::string& name) {
  auto t = std::make_shared<TableSchema>();
  t->schema = schema;
  t->name = name;
  return t;
}

std::string collision_of(const PipelineConfig& config, const std::vector<TableSchemaPtr>& tables) {
  try {
    WarehouseNames(config).check_distinct(tables);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TableNames, PlainListKeepsWorking) {
  PipelineConfig config =
      parse_pipeline_config(with_tables("  tables: [public.orders, customers]\n"), "p.yaml");
  EXPECT_EQ(config.source.tables, (std::vector<std::string>{"public.orders", "customers"}));
  EXPECT_TRUE(config.source.warehouse_names.empty());
  EXPECT_EQ(WarehouseNames(config).of("public", "orders"), "orders");
}

TEST(TableNames, ListEntriesMayMapToWarehouseNames) {
  PipelineConfig config = parse_pipeline_config(
      with_tables("  tables:\n    - public.users\n    - auth.users: auth_users\n"), "p.yaml");
  EXPECT_EQ(config.source.tables, (std::vector<std::string>{"public.users", "auth.users"}));
  WarehouseNames names(config);
  EXPECT_EQ(names.of("public", "users"), "users");
  EXPECT_EQ(names.of("auth", "users"), "auth_users");
  EXPECT_EQ(collision_of(config, {table("public", "users"), table("auth", "users")}), "no error");
  PipelineConfig flow_style = parse_pipeline_config(
      with_tables("  tables: [public.users, auth.users: auth_users]\n"), "p.yaml");
  EXPECT_EQ(WarehouseNames(flow_style).of("auth", "users"), "auth_users");
}

TEST(TableNames, MapFormWithNullKeepingTheName) {
  PipelineConfig config = parse_pipeline_config(
      with_tables("  tables: {public.users: , auth.users: auth_users}\n"), "p.yaml");
  EXPECT_EQ(config.source.tables, (std::vector<std::string>{"public.users", "auth.users"}));
  EXPECT_EQ(WarehouseNames(config).of("public", "users"), "users");
  EXPECT_EQ(WarehouseNames(config).of("auth", "users"), "auth_users");
}

TEST(TableNames, CollisionNamesBothTablesAndTheFix) {
  PipelineConfig config =
      parse_pipeline_config(with_tables("  tables: [public.users, auth.users]\n"), "p.yaml");
  EXPECT_EQ(collision_of(config, {table("public", "users"), table("auth", "users")}),
            "source tables public.users and auth.users would both land in warehouse "
            "table mirror.users; give one another name in source.tables, e.g. `- auth.users: "
            "auth_users`");
}

TEST(TableNames, MappingOntoAnotherTablesNameCollides) {
  PipelineConfig config =
      parse_pipeline_config(with_tables("  tables: [public.users, auth.users: users]\n"), "p.yaml");
  EXPECT_NE(collision_of(config, {table("public", "users"), table("auth", "users")}), "no error");
}

TEST(TableNames, RedshiftCollidesWithoutCase) {
  std::string tables = "  tables: [public.Users, auth.users]\n";
  std::vector<TableSchemaPtr> captured = {table("public", "Users"), table("auth", "users")};
  EXPECT_EQ(collision_of(parse_pipeline_config(with_tables(tables), "p.yaml"), captured),
            "no error");
  EXPECT_NE(
      collision_of(parse_pipeline_config(with_tables(tables, "redshift"), "p.yaml"), captured),
      "no error");
}

TEST(TableNames, FlowsWriteOnlyTheirOwnTables) {
  PipelineConfig config =
      parse_pipeline_config(with_tables("  tables: [public.users, auth.users]\n") +
                                "flows:\n  people:\n    key: [id]\n    sql: SELECT id FROM users\n",
                            "p.yaml");
  EXPECT_EQ(collision_of(config, {table("public", "users"), table("auth", "users")}), "no error");
}

TEST(TableNames, BadEntriesNameTheLine) {
  EXPECT_EQ(config_error_of(with_tables("  tables:\n    - users: people\n")),
            "p.yaml:6: source.tables: map a qualified name (public.users: new_name, or for MySQL "
            "database.users: new_name)");
  EXPECT_EQ(config_error_of(with_tables("  tables:\n    - public.users\n    - public.users\n")),
            "p.yaml:7: source.tables: public.users is listed twice");
  EXPECT_EQ(config_error_of(with_tables("  tables:\n    - {a.b: x, c.d: y}\n")),
            "p.yaml:6: source.tables: expected one `source_table: warehouse_table` per list entry");
  EXPECT_EQ(config_error_of(with_tables("  tables: orders\n")),
            "p.yaml:5: source.tables: expected a list, like [public.orders, auth.users: "
            "auth_users]");
  EXPECT_EQ(config_error_of(with_tables("  tables:\n    - auth.users: \"\"\n")),
            "p.yaml:6: source.tables.auth.users: must not be empty");
}

}  // namespace
}  // namespace sluice
