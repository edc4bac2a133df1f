// libFuzzer entry point; the body lives in binlog_ddl_target.hpp, which the unit tests'
// replay of tests/data/fuzz/binlog_ddl/ calls too.
#include "binlog_ddl_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_binlog_ddl({data, size});
  return 0;
}
