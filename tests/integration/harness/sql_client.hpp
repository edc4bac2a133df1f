#pragma once

#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace sluice::test {

using SqlRow = std::vector<std::optional<std::string>>;

// A plain libpq client for setting up and checking databases in tests. Every call
// throws with the server's message on failure.
class PgClient {
 public:
  explicit PgClient(const std::string& url);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // Runs one or more statements separated by semicolons.
  void exec(const std::string& sql);
  std::vector<SqlRow> query(const std::string& sql);
  // The first column of the first row; "NULL" for NULL, "" when there is no row.
  std::string scalar(const std::string& sql);

 private:
  pg_conn* connection_;
};

}  // namespace sluice::test
