// libFuzzer entry point; the body lives in pipeline_config_target.hpp, which the unit
// tests' replay of tests/data/fuzz/pipeline_config/ calls too.
#include "pipeline_config_target.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static sluice::fuzz::FixedEnvironment environment;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_pipeline_config({data, size});
  return 0;
}
