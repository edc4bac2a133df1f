// libFuzzer entry point; the body lives in binlog_compressed_target.hpp, which the unit
// tests' replay of tests/data/fuzz/binlog_compressed/ calls too.
#include "binlog_compressed_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_binlog_compressed({data, size});
  return 0;
}
