#include <gtest/gtest.h>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

PipelineConfig with_listen(const std::string& listen) {
  return parse_pipeline_config(
      "name: shop\nsource:\n  type: postgres\n  url: postgresql://a@h/db\nsink:\n  type: "
      "postgres\n  url: postgresql://b@h/dw\nobservability:\n  listen: \"" +
          listen + "\"\n",
      "p.yaml");
}

std::string error_of(const std::string& listen) {
  try {
    with_listen(listen);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ObservabilityConfig, OffByDefault) {
  PipelineConfig c = parse_pipeline_config(
      "name: shop\nsource: {type: postgres, url: x}\nsink: {type: postgres, url: y}\n", "p.yaml");
  EXPECT_EQ(c.observability.listen_port, 0);
}

TEST(ObservabilityConfig, ABarePortListensOnLoopbackOnly) {
  EXPECT_EQ(with_listen("9187").observability.listen_host, "127.0.0.1");
  EXPECT_EQ(with_listen(":9187").observability.listen_host, "127.0.0.1");
  EXPECT_EQ(with_listen(":9187").observability.listen_port, 9187);
}

TEST(ObservabilityConfig, AnExplicitHostIsKept) {
  PipelineConfig c = with_listen("0.0.0.0:9000");
  EXPECT_EQ(c.observability.listen_host, "0.0.0.0");
  EXPECT_EQ(c.observability.listen_port, 9000);
  EXPECT_EQ(with_listen("[::1]:9187").observability.listen_host, "::1");
}

TEST(ObservabilityConfig, BadAddressesNameLineAndKey) {
  EXPECT_EQ(error_of("127.0.0.1:0"),
            "p.yaml:9: observability.listen: expected HOST:PORT with a port from 1 to 65535, got "
            "'127.0.0.1:0'");
  EXPECT_NE(error_of("localhost:http").find("observability.listen"), std::string::npos);
  EXPECT_NE(error_of("::1:9187").find("expected HOST:PORT like"), std::string::npos);
  EXPECT_NE(error_of("70000").find("1 to 65535"), std::string::npos);
}

TEST(ObservabilityConfig, IsInTheGeneratedReference) {
  EXPECT_NE(configuration_reference().find("| `observability.listen` | no | off |"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice
