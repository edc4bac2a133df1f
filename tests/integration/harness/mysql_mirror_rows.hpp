#pragma once
// A MySQL table and its warehouse mirror, side by side in canonical text.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "harness/mariadb_server.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {

using MirrorRows = std::vector<std::vector<std::optional<std::string>>>;

inline MirrorRows mysql_rows(MySqlClient& source, const std::string& table,
                             const std::string& columns) {
  return source.query("SELECT " + columns + " FROM `" + table + "` ORDER BY id");
}

inline MirrorRows mirror_rows(PgClient& sink, const std::string& table,
                              const std::string& columns) {
  std::vector<SqlRow> rows =
      sink.query("SELECT " + columns + " FROM mirror." + table + " AS m ORDER BY m.id");
  return {rows.begin(), rows.end()};
}

// Both sides, ordered by key, cell by cell; reports the first row that differs.
inline void expect_same_rows(MySqlClient& source, PgClient& sink, const std::string& table,
                             const std::string& columns) {
  MirrorRows want = mysql_rows(source, table, columns);
  MirrorRows got = mirror_rows(sink, table, columns);
  EXPECT_EQ(got.size(), want.size()) << table;
  for (size_t r = 0; r < std::min(got.size(), want.size()); ++r) {
    if (got[r] == want[r]) continue;
    ADD_FAILURE() << table << ": first difference at row " << r << " (id "
                  << want[r][0].value_or("NULL") << " vs " << got[r][0].value_or("NULL") << ")";
    return;
  }
}

}  // namespace sluice::test
