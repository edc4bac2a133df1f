#pragma once
// Makes two transactions deadlock on a table t (id, v) with rows 1 and 2: each holds one
// row and then wants the other's, so the server aborts one of them. Works with any client
// that has exec() and try_exec() returning Result<void>.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "core/error.hpp"

namespace sluice::test {

// The victim's error, or nullopt (with a test failure) unless exactly one was aborted.
template <class Connection>
std::optional<Error> deadlock_victim(Connection& first, Connection& second) {
  first.exec("BEGIN");
  first.exec("UPDATE t SET v = 1 WHERE id = 1");
  second.exec("BEGIN");
  second.exec("UPDATE t SET v = 1 WHERE id = 2");
  std::optional<Result<void>> waited;
  std::thread waiting([&] { waited = first.try_exec("UPDATE t SET v = 2 WHERE id = 2"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Result<void> crossed = second.try_exec("UPDATE t SET v = 2 WHERE id = 1");
  if (crossed.ok()) second.exec("COMMIT");
  waiting.join();
  if (!waited || waited->ok() == crossed.ok()) {
    ADD_FAILURE() << "exactly one of the two transactions should be the victim";
    return std::nullopt;
  }
  return waited->ok() ? crossed.error() : waited->error();
}

}  // namespace sluice::test
