#pragma once
// The snapshot's worker pool: a few threads, each with its own connection, take the
// captured tables one at a time from a shared list until none is left.

#include <cstddef>
#include <functional>

namespace sluice {

// Calls copy_table(worker, table) for every table in [0, tables) on min(workers, tables)
// threads; `worker` (0 up to the thread count) says whose connection to use. The first
// exception stops the others from taking further tables and is rethrown once every
// thread has finished the table it was copying.
void copy_tables_in_parallel(size_t tables, size_t workers,
                             const std::function<void(size_t worker, size_t table)>& copy_table);

}  // namespace sluice
