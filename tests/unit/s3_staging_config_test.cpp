// The sink.s3 section: Redshift only, required keys when present, defaults, and its rows
// in the generated reference.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "config/pipeline_config.hpp"
#include "config_error.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

std::string pipeline(std::string_view sink_type, std::string_view s3_section) {
  return fmt::format(R"(name: shop
source:
  type: postgres
  url: postgresql://repl@127.0.0.1:5432/shop
sink:
  type: {}
  url: postgresql://loader@127.0.0.1:5439/dw
{})",
                     sink_type, s3_section);
}

constexpr const char* kFullSection = R"(  s3:
    bucket: warehouse-staging
    region: eu-west-1
    access_key_id: AKIAEXAMPLE
    secret_access_key: ${SLUICE_TEST_S3_SECRET}
)";

TEST(S3StagingConfig, ParsesWithDefaults) {
  setenv("SLUICE_TEST_S3_SECRET", "wJalr/secret", 1);
  PipelineConfig config = parse_pipeline_config(pipeline("redshift", kFullSection), "p.yaml");
  const S3StagingConfig& s3 = config.sink.s3;
  EXPECT_TRUE(s3.enabled);
  EXPECT_EQ(s3.bucket, "warehouse-staging");
  EXPECT_EQ(s3.region, "eu-west-1");
  EXPECT_EQ(s3.secret_access_key, "wJalr/secret");
  EXPECT_EQ(s3.prefix, "sluice/");
  EXPECT_EQ(s3.endpoint, "");
  EXPECT_EQ(s3.session_token, "");
  EXPECT_EQ(s3.iam_role, "");
  EXPECT_EQ(s3.min_rows, 10000u);
}

TEST(S3StagingConfig, ParsesEveryKey) {
  setenv("SLUICE_TEST_S3_SECRET", "wJalr/secret", 1);
  std::string section = std::string(kFullSection) +
                        "    prefix: cdc/\n    endpoint: http://127.0.0.1:9000\n"
                        "    session_token: tok\n    iam_role: arn:aws:iam::1:role/load\n"
                        "    min_rows: 500\n";
  S3StagingConfig s3 = parse_pipeline_config(pipeline("redshift", section), "p.yaml").sink.s3;
  EXPECT_EQ(s3.prefix, "cdc/");
  EXPECT_EQ(s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(s3.session_token, "tok");
  EXPECT_EQ(s3.iam_role, "arn:aws:iam::1:role/load");
  EXPECT_EQ(s3.min_rows, 500u);
}

TEST(S3StagingConfig, AbsentSectionIsOff) {
  PipelineConfig config = parse_pipeline_config(pipeline("redshift", ""), "p.yaml");
  EXPECT_FALSE(config.sink.s3.enabled);
}

TEST(S3StagingConfig, OnlyValidWithRedshift) {
  setenv("SLUICE_TEST_S3_SECRET", "wJalr/secret", 1);
  EXPECT_EQ(config_error_of(pipeline("postgres", kFullSection)),
            "p.yaml:8: sink.s3: only valid with sink.type: redshift");
}

TEST(S3StagingConfig, MissingKeysNameTheSection) {
  EXPECT_EQ(config_error_of(pipeline("redshift", "  s3:\n    region: eu-west-1\n")),
            "p.yaml:8: sink.s3.bucket: required key is missing");
  EXPECT_EQ(
      config_error_of(pipeline("redshift", "  s3: {bucket: b, region: r, access_key_id: a}\n")),
      "p.yaml:8: sink.s3.secret_access_key: required key is missing");
}

TEST(S3StagingConfig, BadValuesNameTheKey) {
  setenv("SLUICE_TEST_S3_SECRET", "wJalr/secret", 1);
  EXPECT_EQ(config_error_of(
                pipeline("redshift", std::string(kFullSection) + "    endpoint: minio:9000\n")),
            "p.yaml:13: sink.s3.endpoint: expected a URL starting with http:// or https://");
  EXPECT_EQ(config_error_of(pipeline("redshift", std::string(kFullSection) + "    min_rows: 0\n")),
            "p.yaml:13: sink.s3.min_rows: must be between 1 and 100000000");
  EXPECT_EQ(config_error_of(pipeline("redshift", std::string(kFullSection) + "    bukket: x\n")),
            "p.yaml:13: sink.s3.bukket: unknown key (see docs/configuration.md)");
  EXPECT_EQ(config_error_of(pipeline("redshift", "  s3: on\n")),
            "p.yaml:8: sink.s3: expected a mapping of keys");
}

TEST(S3StagingConfig, IsInTheGeneratedReference) {
  EXPECT_NE(configuration_reference().find("| `sink.s3.min_rows` | no | 10000 |"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice
