#pragma once

#include <string>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"

namespace sluice {

// The ConfigError message for a pipeline file read as "p.yaml", or "no error".
inline std::string config_error_of(const std::string& text) {
  try {
    parse_pipeline_config(text, "p.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace sluice
