#include "config/pipeline_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "config/config_keys.hpp"
#include "config/env_substitution.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

// Keys seen so far, with the line each was on.
using SeenKeys = std::map<std::string, int, std::less<>>;

// Walks a mapping, dispatching every key to its spec and refusing unknown ones. A
// section with a row of its own (sink.s3) is recorded as seen, then walked.
void walk(const YAML::Node& map, const std::string& prefix, const std::string& file,
          PipelineConfig& config, FlowConfig* flow, SeenKeys& seen) {
  for (const auto& entry : map) {
    std::string key = entry.first.Scalar();
    if (prefix.empty() && key == "flows") continue;  // parsed separately, per flow
    std::string spec_path = prefix.empty() ? key : prefix + "." + key;
    std::string shown = spec_path;
    if (flow != nullptr) shown = "flows." + flow->name + "." + key;
    Place at{file, entry.first.Mark().line + 1, shown};
    const KeySpec* spec = find_spec(spec_path);
    if (spec != nullptr) {
      if (spec->apply) spec->apply(*spec, entry.second, at, config, flow);
      seen.emplace(spec_path, at.line);
    }
    if (has_children_under(spec_path)) {
      if (!entry.second.IsMap()) fail(at, "expected a mapping of keys");
      seen.emplace(spec_path, at.line);
      walk(entry.second, spec_path, file, config, flow, seen);
    } else if (spec == nullptr) {
      fail(at, "unknown key (see docs/configuration.md)");
    }
  }
}

// The optional section (like sink.s3) a key belongs to, or "" for keys that are
// required whenever their scope is: top-level sections and flow keys.
std::string_view optional_section(std::string_view path, std::string_view scope) {
  std::string_view rest = scope.empty() ? path : path.substr(scope.size() + 1);
  size_t last = rest.rfind('.');
  if (last == std::string_view::npos || rest.substr(0, last).find('.') == std::string_view::npos)
    return "";
  return path.substr(0, path.size() - rest.size() + last);
}

void check_required(const SeenKeys& seen, std::string_view scope, int line, const std::string& file,
                    std::string_view shown_prefix) {
  for (const KeySpec& spec : key_specs()) {
    bool in_scope = scope.empty() ? !spec.path.starts_with("flows.") : spec.path.starts_with(scope);
    if (!in_scope || !spec.required || seen.contains(spec.path)) continue;
    int at_line = line;
    if (std::string_view section = optional_section(spec.path, scope); !section.empty()) {
      auto present = seen.find(section);
      if (present == seen.end()) continue;
      at_line = present->second;
    }
    std::string name = std::string(shown_prefix) + std::string(spec.path.substr(scope.size()));
    throw ConfigError(fmt::format("{}:{}: {}: required key is missing", file, at_line, name));
  }
}

// Sections whose presence, rather than a value, switches a feature on.
void mark_present_sections(const SeenKeys& seen, PipelineConfig& config) {
  if (auto s3 = seen.find("sink.s3"); s3 != seen.end()) {
    config.sink.s3.enabled = true;
    config.sink.s3.line = s3->second;
  }
  config.transport.enabled = seen.contains("transport.type") || seen.contains("transport.brokers");
}

void check_s3(const PipelineConfig& config) {
  if (config.sink.s3.enabled && config.sink.type != SinkType::kRedshift)
    throw ConfigError(fmt::format("{}:{}: sink.s3: only valid with sink.type: redshift",
                                  config.file, config.sink.s3.line));
}

void check_transport(const PipelineConfig& config) {
  if (config.transport.enabled && config.transport.brokers.empty())
    throw ConfigError(
        fmt::format("{}: transport.brokers: required when a transport is configured", config.file));
}

}  // namespace

PipelineConfig parse_pipeline_config(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(substitute_environment(text, file));
  } catch (const YAML::Exception& e) {
    // e.msg alone: e.what() may quote the line, which can hold a substituted secret.
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) throw ConfigError(fmt::format("{}:1: expected a mapping of keys", file));

  PipelineConfig config;
  config.file = file;
  SeenKeys seen;
  for (const auto& entry : root) {
    if (entry.first.Scalar() != "flows") continue;
    Place at{file, entry.first.Mark().line + 1, "flows"};
    if (!entry.second.IsMap()) fail(at, "expected a mapping of flow name to flow");
    for (const auto& flow_entry : entry.second) {
      FlowConfig flow;
      flow.name = flow_entry.first.Scalar();
      int line = flow_entry.first.Mark().line + 1;
      if (!flow_entry.second.IsMap())
        fail({file, line, "flows." + flow.name}, "expected a mapping with key, sql, ...");
      SeenKeys flow_seen;
      walk(flow_entry.second, "flows.*", file, config, &flow, flow_seen);
      check_required(flow_seen, "flows.*", line, file, "flows." + flow.name);
      config.flows.push_back(std::move(flow));
    }
  }
  walk(root, "", file, config, nullptr, seen);
  check_required(seen, "", 1, file, "");
  mark_present_sections(seen, config);
  check_transport(config);
  check_s3(config);
  return config;
}

PipelineConfig load_pipeline_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot read the pipeline file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_pipeline_config(text.str(), path);
}

std::string state_directory(const PipelineConfig& config) {
  if (!config.state.dir.empty()) return config.state.dir;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0')
    return fmt::format("{}/sluice/{}", xdg, config.name);
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return fmt::format("{}/.local/state/sluice/{}", home, config.name);
  return fmt::format("sluice-state/{}", config.name);
}

}  // namespace sluice
