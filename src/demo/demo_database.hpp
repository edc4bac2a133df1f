#pragma once
// The demo generators' connection to the scenario's source database: PostgreSQL or
// MySQL/MariaDB, chosen by the URL's scheme.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "demo/demo_sql.hpp"

namespace sluice {
class PgConnection;
class MySqlConnection;
}  // namespace sluice

namespace sluice::demo {

using DemoRow = std::vector<std::optional<std::string>>;

class DemoDatabase {
 public:
  // postgresql://, postgres:// or mysql://; throws ConfigError for any other scheme.
  explicit DemoDatabase(const std::string& url);
  ~DemoDatabase();
  DemoDatabase(const DemoDatabase&) = delete;
  DemoDatabase& operator=(const DemoDatabase&) = delete;

  const DemoSql& sql() const { return sql_; }

  void exec(std::string_view sql);
  std::vector<DemoRow> rows(std::string_view sql);
  // The first column of every row, as integers (NULLs skipped).
  std::vector<int64_t> int_column(std::string_view sql);

 private:
  DemoSql sql_;
  std::unique_ptr<PgConnection> pg_;
  std::unique_ptr<MySqlConnection> mysql_;
};

}  // namespace sluice::demo
