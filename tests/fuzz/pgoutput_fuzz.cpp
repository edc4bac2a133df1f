// libFuzzer entry point; the body lives in pgoutput_target.hpp, which the unit tests'
// replay of tests/data/fuzz/pgoutput/ calls too.
#include "pgoutput_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_pgoutput({data, size});
  return 0;
}
