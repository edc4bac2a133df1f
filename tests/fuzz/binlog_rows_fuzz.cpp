// libFuzzer entry point; the body lives in binlog_rows_target.hpp, which the unit tests'
// replay of tests/data/fuzz/binlog_rows/ calls too.
#include "binlog_rows_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_binlog_rows({data, size});
  return 0;
}
