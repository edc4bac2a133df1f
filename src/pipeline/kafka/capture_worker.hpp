#pragma once
// `sluice capture`: the source's snapshot and change stream into Kafka. The source is
// acknowledged only after every message up to a transaction boundary and the position
// record after them were delivered, so a crash re-sends at most what followed the last
// stored position (at least once into Kafka; apply's warehouse offsets make the rest
// exactly once).

#include "config/pipeline_config.hpp"

namespace sluice {

class KafkaCapture {
 public:
  KafkaCapture(const PipelineConfig& config, bool until_caught_up);
  // Returns when caught up (with until_caught_up) or after a stop request.
  void run();

 private:
  bool run_session();

  const PipelineConfig& config_;
  bool until_caught_up_;
};

}  // namespace sluice
