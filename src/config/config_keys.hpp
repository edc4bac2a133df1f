#pragma once
// The keys of the pipeline file, one row each: kind, allowed range, default and meaning.
// A row that fills one member of PipelineConfig reads its default from that member's
// initial value, so each default is stated once, in pipeline_config.hpp. The YAML walk
// (pipeline_config.cpp) applies the rows; configuration_reference() prints them.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sluice {

// Where a message points: "pipeline.yaml:12: source.url".
struct Place {
  const std::string& file;
  int line;
  std::string key;
  std::string str() const;
};

// Throws ConfigError "FILE:LINE: key: what".
[[noreturn]] void fail(const Place& at, std::string_view what);

enum class KeyKind : uint8_t {
  kInteger,   // range: min to max
  kDuration,  // 500ms, 2s, 1m
  kEnum,      // range: the words
  kBool,      // range: true, false
  kString,    // range: min 1 is "not empty"; with a max, the length
  kUrl,       // range: the schemes
  kList,      // [a, b]; range: min 1 is "not empty"
  kWordList,  // a list of range words
  kAddress,   // HOST:PORT; range: the port
  kTables,    // source.tables
  kMap,       // a mapping passed on as it is
  kSection,   // a mapping of further keys
};

struct KeyRange {
  int64_t min = 0;
  int64_t max = 0;
  std::vector<std::string_view> words;
};

struct KeySpec {
  std::string_view path;  // "flows.*.sql": * stands for a flow name
  bool required;
  KeyKind kind;
  KeyRange range;
  std::string default_text;  // the member's initial value, or what leaving the key out means
  std::string_view description;
  // Reads the key's value, checked against `range`, into the config (or the flow, for
  // flows.* keys); null for sections, which the walk descends into.
  std::function<void(const KeySpec&, const YAML::Node&, const Place&, PipelineConfig&, FlowConfig*)>
      apply;
  // The value the key's member(s) hold, written as in the reference; null for keys whose
  // default is a description rather than a value.
  std::function<std::string(const PipelineConfig&, const FlowConfig&)> value_text;

  // The range column of the reference.
  std::string range_text() const;
};

// Every key, in reference order.
const std::vector<KeySpec>& key_specs();

const KeySpec* find_spec(std::string_view path);

// True when a key lies under `prefix` ("sink.s3" for "sink.s3.bucket").
bool has_children_under(std::string_view prefix);

}  // namespace sluice
