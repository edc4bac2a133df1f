// libFuzzer entry point; the body lives in mysql_json_target.hpp, which the unit tests'
// replay of tests/data/fuzz/mysql_json/ calls too.
#include "mysql_json_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_mysql_json({data, size});
  return 0;
}
