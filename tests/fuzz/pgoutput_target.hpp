#pragma once
// Fuzz target body: a stream of pgoutput messages through one decoder, as the
// replication stream feeds it. Input: one flag byte (bit 0: the catalog gives
// public.orders the primary key "id"), then messages as FuzzInput frames. The source
// stops at the first FatalError, so the run does too.

#include "core/error.hpp"
#include "fuzz_input.hpp"
#include "row_touch.hpp"
#include "source/postgres/pgoutput_decoder.hpp"

namespace sluice::fuzz {

inline void run_pgoutput(std::span<const uint8_t> data) {
  FuzzInput in(data);
  pg::PgOutputDecoder decoder;
  if (in.byte() & 1) decoder.set_primary_keys({{"public.orders", {"id"}}});
  Change change;
  try {
    while (!in.empty()) {
      if (decoder.decode(in.frame(), change) == pg::MessageKind::kRowChange) {
        touch(change.before);
        touch(change.after);
      }
    }
  } catch (const FatalError&) {
  }
}

}  // namespace sluice::fuzz
