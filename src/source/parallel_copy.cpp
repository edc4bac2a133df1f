#include "source/parallel_copy.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice {

void copy_tables_in_parallel(size_t tables, size_t workers,
                             const std::function<void(size_t worker, size_t table)>& copy_table) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&](size_t worker) {
    while (true) {
      size_t table = next.fetch_add(1);
      if (table >= tables) return;
      try {
        copy_table(worker, table);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = tables;
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < std::min(workers, tables); ++i) threads.emplace_back(work, i);
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace sluice
