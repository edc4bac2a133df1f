// The transport: section of the pipeline file.

#include <gtest/gtest.h>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

constexpr const char* kBase =
    "name: shop\nsource:\n  type: postgres\n  url: postgresql://u@h/db\n"
    "sink:\n  type: postgres\n  url: postgresql://u@h/dw\n";

TEST(KafkaTransportConfig, DefaultsAndProperties) {
  PipelineConfig c = parse_pipeline_config(
      std::string(kBase) +
          "transport:\n  type: kafka\n  brokers: k1:9092,k2:9092\n  properties:\n"
          "    security.protocol: SASL_SSL\n    sasl.password: pw\n",
      "p.yaml");
  EXPECT_TRUE(c.transport.enabled);
  EXPECT_EQ(c.transport.brokers, "k1:9092,k2:9092");
  EXPECT_EQ(c.transport.prefix(c.name), "sluice.shop");
  EXPECT_TRUE(c.transport.topic_per_table);
  EXPECT_EQ(c.transport.partitions, 6);
  ASSERT_EQ(c.transport.properties.size(), 2u);
  EXPECT_EQ(c.transport.properties[1].first, "sasl.password");
}

TEST(KafkaTransportConfig, ExplicitSettings) {
  PipelineConfig c = parse_pipeline_config(
      std::string(kBase) +
          "transport:\n  type: kafka\n  brokers: k:9092\n  topic_prefix: cdc\n"
          "  topic_per_table: false\n  partitions: 12\n  topics: [dbserver1.inventory.orders]\n",
      "p.yaml");
  EXPECT_EQ(c.transport.prefix(c.name), "cdc");
  EXPECT_FALSE(c.transport.topic_per_table);
  EXPECT_EQ(c.transport.partitions, 12);
  EXPECT_EQ(c.transport.topics, std::vector<std::string>{"dbserver1.inventory.orders"});
}

std::string error_of(const std::string& transport) {
  try {
    parse_pipeline_config(std::string(kBase) + transport, "p.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(KafkaTransportConfig, MistakesNameTheKey) {
  EXPECT_EQ(error_of("transport:\n  type: rabbit\n  brokers: k:1\n"),
            "p.yaml:9: transport.type: 'rabbit' is not one of: kafka");
  EXPECT_EQ(error_of("transport:\n  type: kafka\n"),
            "p.yaml: transport.brokers: required when a transport is configured");
  EXPECT_EQ(error_of("transport:\n  type: kafka\n  brokers: k:1\n  partitions: 0\n"),
            "p.yaml:11: transport.partitions: must be between 1 and 10000");
  EXPECT_EQ(error_of("transport:\n  type: kafka\n  brokers: k:1\n  properties: [a]\n"),
            "p.yaml:11: transport.properties: expected a mapping of librdkafka property to value");
  EXPECT_EQ(error_of("transport:\n  type: kafka\n  brokers: k:1\n  brokres: x\n"),
            "p.yaml:11: transport.brokres: unknown key (see docs/configuration.md)");
}

}  // namespace
}  // namespace sluice
