#pragma once
// ${NAME} in a pipeline file: replaced by the environment's value before the YAML is read.

#include <string>

namespace sluice {

// Replaces ${NAME} with the environment's value; throws ConfigError naming file and line
// when a variable is unset. `$${` escapes a literal "${".
std::string substitute_environment(const std::string& text, const std::string& file);

}  // namespace sluice
