#pragma once
// Where the input resumes, as the sink commits it with the rows read before it and reads
// it back on start. `sluice run` resumes at a source position; `sluice apply` at an offset
// per part of a partitioned stream (to it, a Kafka topic partition: the sink knows only a
// name and a number).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/position.hpp"

namespace sluice {

struct StreamPart {
  std::string stream;
  int32_t part = 0;
  auto operator<=>(const StreamPart&) const = default;
};

// Where one part resumes. Written as a compare-and-set: the commit holds only while the
// part still resumes at `expected` (nullopt: nothing stored), so a process that lost the
// part to another cannot commit over its new owner. Read back, `expected` is unset.
struct StreamOffset {
  StreamPart part;
  std::optional<int64_t> expected;
  int64_t next = 0;
};

enum class CheckpointKind { kSourcePosition, kStreamOffsets };

// Each mode fills its own half.
struct Checkpoint {
  // kSourcePosition; read back unset until the snapshot is complete.
  std::optional<Position> position;
  // kStreamOffsets: the parts this commit read from, or every part stored when read back.
  std::vector<StreamOffset> offsets;
};

}  // namespace sluice
