#pragma once
// Fuzz target body: a pipeline file's text through the loader's string entry point
// (load_pipeline_config reads the file and calls it). ${NAME} references read the
// environment, so both the fuzzer and the replaying unit test run this under
// FixedEnvironment: the same input gives the same result on every machine.

#include <cstdlib>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "fuzz_input.hpp"

extern char** environ;

namespace sluice::fuzz {

// Replaces the process environment with one variable, SLUICE_FUZZ_PASSWORD, for its
// lifetime, and puts the old one back afterwards.
class FixedEnvironment {
 public:
  FixedEnvironment() {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry)
      saved_.emplace_back(*entry);
    clearenv();
    setenv("SLUICE_FUZZ_PASSWORD", "fuzz-secret", 1);
  }
  ~FixedEnvironment() {
    clearenv();
    for (const std::string& entry : saved_) {
      size_t equals = entry.find('=');
      if (equals != std::string::npos)
        setenv(entry.substr(0, equals).c_str(), entry.c_str() + equals + 1, 1);
    }
  }
  FixedEnvironment(const FixedEnvironment&) = delete;
  FixedEnvironment& operator=(const FixedEnvironment&) = delete;

 private:
  std::vector<std::string> saved_;
};

inline void run_pipeline_config(std::span<const uint8_t> data) {
  try {
    (void)parse_pipeline_config(std::string(as_text(data)), "fuzz.yaml");
  } catch (const ConfigError&) {
  }
}

}  // namespace sluice::fuzz
