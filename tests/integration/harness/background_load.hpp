#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace sluice::test {

// A write load on a thread of its own: run_transaction() over and over until stop().
// A subclass's destructor must call stop() before its members go away.
class BackgroundLoad {
 public:
  BackgroundLoad() = default;
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;
  virtual ~BackgroundLoad() { stop(); }

  void start() {
    thread_ = std::thread([this] {
      while (running_) {
        run_transaction();
        ++transactions_;
      }
    });
  }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t transactions() const { return transactions_; }

 protected:
  virtual void run_transaction() = 0;

 private:
  std::atomic<bool> running_{true};
  std::atomic<uint64_t> transactions_{0};
  std::thread thread_;
};

}  // namespace sluice::test
