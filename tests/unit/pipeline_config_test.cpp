#include "config/pipeline_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "config_error.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

constexpr const char* kMinimal = R"(name: shop
source:
  type: postgres
  url: postgresql://repl:${SLUICE_TEST_PASSWORD}@127.0.0.1:5432/shop
sink:
  type: postgres
  url: postgresql://loader@127.0.0.1:5433/dw
)";

TEST(PipelineConfig, ParsesMinimalFileWithDefaults) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret", 1);
  PipelineConfig config = parse_pipeline_config(kMinimal, "p.yaml");
  EXPECT_EQ(config.name, "shop");
  EXPECT_EQ(config.source.type, SourceType::kPostgres);
  EXPECT_EQ(config.source.url, "postgresql://repl:s3cret@127.0.0.1:5432/shop");
  EXPECT_EQ(config.sink.schema, "public");
  EXPECT_EQ(config.batch.max_rows, 50000u);
  EXPECT_EQ(config.batch.max_delay, std::chrono::milliseconds(500));
  EXPECT_TRUE(config.flows.empty());
}

TEST(PipelineConfig, MissingEnvironmentVariableNamesLine) {
  unsetenv("SLUICE_TEST_PASSWORD");
  EXPECT_EQ(config_error_of(kMinimal),
            "p.yaml:4: environment variable SLUICE_TEST_PASSWORD is not set");
}

TEST(PipelineConfig, UnknownKeyNamesFileLineAndKey) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret", 1);
  std::string text = std::string(kMinimal) + "batch:\n  max_rowz: 10\n";
  EXPECT_EQ(config_error_of(text),
            "p.yaml:9: batch.max_rowz: unknown key (see docs/configuration.md)");
}

TEST(PipelineConfig, BadValuesNameKey) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret", 1);
  EXPECT_EQ(config_error_of(std::string(kMinimal) + "batch: { max_delay: soon }\n"),
            "p.yaml:8: batch.max_delay: expected a duration like 500ms, 2s or 1m, got 'soon'");
  std::string wrong_type = kMinimal;
  wrong_type.replace(wrong_type.find("type: postgres"), 14, "type: oracle");
  EXPECT_EQ(config_error_of(wrong_type),
            "p.yaml:3: source.type: 'oracle' is not one of: postgres | mysql");
}

TEST(PipelineConfig, NameMustBeAValidSlotName) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret", 1);
  std::string upper = kMinimal;
  upper.replace(0, 10, "name: Shop");
  EXPECT_EQ(config_error_of(upper),
            "p.yaml:1: name: 'Shop': use only lowercase letters, digits and _ (it becomes the "
            "replication slot and publication name)");
  std::string dash = kMinimal;
  dash.replace(0, 10, "name: sh-p");
  EXPECT_NE(config_error_of(dash), "no error");
}

TEST(PipelineConfig, ConnectTimeouts) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret", 1);
  PipelineConfig defaults = parse_pipeline_config(kMinimal, "p.yaml");
  EXPECT_EQ(defaults.source.connect_timeout, std::chrono::seconds(30));
  EXPECT_EQ(defaults.sink.connect_timeout, std::chrono::seconds(30));
  std::string text = kMinimal;
  text.replace(text.find("sink:"), 5, "  connect_timeout: 1m\nsink:");
  text += "  connect_timeout: 2s\n";
  PipelineConfig config = parse_pipeline_config(text, "p.yaml");
  EXPECT_EQ(config.source.connect_timeout, std::chrono::minutes(1));
  EXPECT_EQ(config.sink.connect_timeout, std::chrono::seconds(2));
}

TEST(PipelineConfig, MissingRequiredKey) {
  EXPECT_EQ(config_error_of("name: x\nsource: {type: postgres, url: u}\n"),
            "p.yaml:1: sink.type: required key is missing");
}

TEST(PipelineConfig, FlowsWithSqlLine) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret", 1);
  std::string text = std::string(kMinimal) +
                     "flows:\n"
                     "  wide:\n"
                     "    key: [id]\n"
                     "    operations: [insert, update]\n"
                     "    on_error: dead_letter\n"
                     "    sql: |\n"
                     "      SELECT id\n"
                     "      FROM t\n";
  PipelineConfig config = parse_pipeline_config(text, "p.yaml");
  ASSERT_EQ(config.flows.size(), 1u);
  const FlowConfig& flow = config.flows[0];
  EXPECT_EQ(flow.name, "wide");
  EXPECT_TRUE(flow.insert);
  EXPECT_TRUE(flow.update);
  EXPECT_FALSE(flow.remove);
  EXPECT_EQ(flow.on_error, OnError::kDeadLetter);
  EXPECT_EQ(flow.sql, "SELECT id\nFROM t\n");
  EXPECT_EQ(flow.sql_line, 14);
  EXPECT_EQ(config_error_of(std::string(kMinimal) + "flows:\n  wide:\n    sql: SELECT 1\n"),
            "p.yaml:9: flows.wide.key: required key is missing");
}

TEST(PipelineConfig, SecretsStayOutOfYamlErrors) {
  setenv("SLUICE_TEST_PASSWORD", "s3cret: [", 1);
  std::string message = config_error_of(kMinimal);
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
}

TEST(PipelineConfig, RedactsUrlPasswords) {
  EXPECT_EQ(redact_url("postgresql://repl:pw@h:1/db"), "postgresql://repl:****@h:1/db");
  EXPECT_EQ(redact_url("mysql://u@h/db"), "mysql://u@h/db");
  EXPECT_EQ(redact_url("postgresql://h/db"), "postgresql://h/db");
}

}  // namespace
}  // namespace sluice
