#include "source/parallel_copy.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace sluice {
namespace {

TEST(ParallelCopy, CopiesEveryTableOnceOnAtMostTheGivenWorkers) {
  std::vector<std::atomic<int>> copies(10);
  std::atomic<size_t> highest_worker{0};
  copy_tables_in_parallel(copies.size(), 3, [&](size_t worker, size_t table) {
    ++copies[table];
    size_t seen = highest_worker.load();
    while (worker > seen && !highest_worker.compare_exchange_weak(seen, worker)) {
    }
  });
  for (const auto& count : copies) EXPECT_EQ(count.load(), 1);
  EXPECT_LT(highest_worker.load(), 3u);
}

TEST(ParallelCopy, NoMoreWorkersThanTables) {
  std::mutex mutex;
  std::vector<size_t> workers;
  copy_tables_in_parallel(2, 8, [&](size_t worker, size_t) {
    std::lock_guard lock(mutex);
    workers.push_back(worker);
  });
  ASSERT_EQ(workers.size(), 2u);
  for (size_t worker : workers) EXPECT_LT(worker, 2u);
}

TEST(ParallelCopy, FirstFailureStopsTheRestAndIsRethrown) {
  std::atomic<int> copied{0};
  EXPECT_THROW(copy_tables_in_parallel(100, 1,
                                       [&](size_t, size_t table) {
                                         if (table == 3) throw std::runtime_error("table 3");
                                         ++copied;
                                       }),
               std::runtime_error);
  EXPECT_EQ(copied.load(), 3);
}

}  // namespace
}  // namespace sluice
