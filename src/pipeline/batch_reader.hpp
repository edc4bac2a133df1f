#pragma once
// Reads batches from the source on a thread of its own, so the source's server keeps
// decoding while the sink applies the previous batch. The source is touched only by that
// thread: acknowledgements are handed over and sent before its next read.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "config/pipeline_config.hpp"
#include "source/source.hpp"

namespace sluice {

struct ReadBatch {
  ChangeBatch batch;
  ReadStatus status = ReadStatus::kIdle;
};

class BatchReader {
 public:
  // `one_transaction`: see set_one_transaction().
  BatchReader(Source& source, const BatchConfig& limits, bool one_transaction = false,
              size_t queue_depth = 2);
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // The next batch in source order; rethrows what the reading thread threw.
  ReadBatch next();
  // Batches of one source transaction each (or less), while flows replay the log into
  // their state; off again once they have caught up with the warehouse.
  void set_one_transaction(bool one) { one_transaction_ = one; }
  // The warehouse committed up to `position`; the source hears of it before its next read.
  void acknowledge(const Position& position);
  // Stops reading (after the read in progress) and sends the acknowledgement not yet
  // sent: after the last read there is no next one to carry it, and without it the
  // source would resend, and hold its log for, what the warehouse already has.
  void finish();

 private:
  void run();

  Source& source_;
  BatchConfig limits_;
  size_t queue_depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ReadBatch> queue_;
  std::optional<Position> pending_ack_;
  std::exception_ptr failure_;
  bool closing_ = false;
  std::atomic<bool> one_transaction_;
  std::jthread thread_;
};

}  // namespace sluice
