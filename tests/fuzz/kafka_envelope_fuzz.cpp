// libFuzzer entry point; the body lives in kafka_envelope_target.hpp, which the unit tests'
// replay of tests/data/fuzz/kafka_envelope/ calls too.
#include "kafka_envelope_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run_kafka_envelope({data, size});
  return 0;
}
