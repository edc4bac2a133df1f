// libFuzzer entry point; the body lives in copy_text_target.hpp, which the unit tests'
// replay of tests/data/fuzz/copy_text/ calls too.
#include "copy_text_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_copy_text({data, size});
  return 0;
}
