// libFuzzer entry point; the body lives in flow_sql_target.hpp, which the unit tests'
// replay of tests/data/fuzz/flow_sql/ calls too.
#include "flow_sql_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_flow_sql({data, size});
  return 0;
}
