#include "pipeline/batch_reader.hpp"

namespace sluice {

BatchReader::BatchReader(Source& source, const BatchConfig& limits, bool one_transaction,
                         size_t queue_depth)
    : source_(source),
      limits_(limits),
      queue_depth_(queue_depth),
      one_transaction_(one_transaction),
      thread_([this] { run(); }) {}

BatchReader::~BatchReader() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
}

void BatchReader::finish() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  thread_.join();
  // The reading thread is gone: the source is this thread's now.
  if (pending_ack_) source_.acknowledge(*pending_ack_);
  pending_ack_.reset();
}

void BatchReader::run() {
  try {
    while (true) {
      std::optional<Position> ack;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return closing_ || queue_.size() < queue_depth_; });
        if (closing_) return;
        ack.swap(pending_ack_);
      }
      if (ack) source_.acknowledge(*ack);
      ReadBatch read;
      ReadLimits limits(limits_, std::chrono::steady_clock::now());
      limits.one_transaction = one_transaction_;
      read.status = source_.read(read.batch, limits);
      bool caught_up = read.status == ReadStatus::kCaughtUp;
      {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(read));
      }
      changed_.notify_all();
      if (caught_up) return;
    }
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      failure_ = std::current_exception();
    }
    changed_.notify_all();
  }
}

ReadBatch BatchReader::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !queue_.empty() || failure_; });
  if (queue_.empty()) std::rethrow_exception(failure_);
  ReadBatch read = std::move(queue_.front());
  queue_.pop_front();
  changed_.notify_all();
  return read;
}

void BatchReader::acknowledge(const Position& position) {
  {
    std::lock_guard lock(mutex_);
    pending_ack_ = position;
  }
  changed_.notify_all();
}

}  // namespace sluice
