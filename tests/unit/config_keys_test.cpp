// The key table: defaults read from the config structs, ranges applied from the table,
// and docs/configuration.md generated from it.

#include "config/config_keys.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config_error.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

constexpr const char* kBase =
    "name: shop\nsource:\n  type: mysql\n  url: mysql://u@h/db\n"
    "sink:\n  type: postgres\n  url: postgresql://u@h/dw\n";

// `kBase` with `line` added to the source section, as line 5.
std::string with_source_line(const std::string& line) {
  std::string text = kBase;
  text.insert(text.find("sink:"), "  " + line + "\n");
  return text;
}

// Each documented default is the member's initial value, written so that the key's own
// parser reads it back to that value.
TEST(ConfigKeys, DocumentedDefaultsAreTheMembersInitialValues) {
  const PipelineConfig defaults;
  const FlowConfig flow_defaults;
  const std::string file = "defaults.yaml";
  int checked = 0;
  for (const KeySpec& spec : key_specs()) {
    // An empty default is no value (transport.brokers: needed once a transport is set).
    if (spec.required || !spec.value_text || spec.default_text.empty()) continue;
    EXPECT_EQ(spec.default_text, spec.value_text(defaults, flow_defaults)) << spec.path;
    PipelineConfig parsed;
    FlowConfig flow;
    spec.apply(spec, YAML::Load(spec.default_text), Place{file, 1, std::string(spec.path)}, parsed,
               &flow);
    EXPECT_EQ(spec.value_text(parsed, flow), spec.default_text) << spec.path;
    ++checked;
  }
  EXPECT_GE(checked, 12);
}

TEST(ConfigKeys, RangeErrorsOfKeysWhoseRangeWasInTheirParser) {
  EXPECT_EQ(config_error_of(with_source_line("snapshot_parallelism: 65")),
            "p.yaml:5: source.snapshot_parallelism: must be between 1 and 64");
  EXPECT_EQ(config_error_of(with_source_line("server_id: 0")),
            "p.yaml:5: source.server_id: must be between 1 and 4294967295");
  EXPECT_EQ(config_error_of(std::string(kBase) + "batch:\n  max_rows: 0\n"),
            "p.yaml:9: batch.max_rows: must be between 1 and 10000000");
  EXPECT_EQ(config_error_of(with_source_line("snapshot_parallelism: 64")), "no error");
}

// The range column and the parser's message come from the same numbers.
TEST(ConfigKeys, EveryIntegerKeyRefusesJustPastItsDocumentedRange) {
  const std::string file = "f.yaml";
  for (const KeySpec& spec : key_specs()) {
    if (spec.kind != KeyKind::kInteger) continue;
    PipelineConfig config;
    FlowConfig flow;
    std::string past_max = std::to_string(spec.range.max + 1);
    try {
      spec.apply(spec, YAML::Load(past_max), Place{file, 1, std::string(spec.path)}, config, &flow);
      ADD_FAILURE() << spec.path << " accepted " << past_max;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.what(), fmt::format("f.yaml:1: {}: must be between {} and {}", spec.path,
                                      spec.range.min, spec.range.max));
    }
    EXPECT_EQ(spec.range_text(), fmt::format("{} to {}", spec.range.min, spec.range.max));
  }
}

TEST(ConfigKeys, ReferenceShowsTheRange) {
  std::string reference = configuration_reference();
  EXPECT_NE(reference.find("| `source.snapshot_parallelism` | no | 2 | 1 to 64 |"),
            std::string::npos);
  EXPECT_NE(reference.find("| `source.type` | yes |  | postgres \\| mysql |"), std::string::npos);
  EXPECT_NE(reference.find("| `sink.s3.endpoint` | no | https://s3.<region>.amazonaws.com | "
                           "http:// or https:// |"),
            std::string::npos);
}

TEST(ConfigKeys, DocsCarryTheGeneratedReference) {
  std::ifstream in(std::string(SLUICE_TEST_DATA) + "/../../docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md not found";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), configuration_reference())
      << "regenerate with: build/sluice config-reference > docs/configuration.md";
}

}  // namespace
}  // namespace sluice
