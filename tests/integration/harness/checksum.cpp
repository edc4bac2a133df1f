#include "harness/checksum.hpp"

namespace sluice::test {

TableChecksum table_checksum(PgClient& db, const std::string& table,
                             const std::vector<std::string>& key) {
  std::string order;
  for (const auto& column : key) order += (order.empty() ? "" : ", ") + ("whole_row." + column);
  std::vector<SqlRow> rows =
      db.query("SELECT count(*), coalesce(md5(string_agg(whole_row::text, E'\\n' ORDER BY " +
               order + ")), '') FROM " + table + " whole_row");
  return {std::stoll(*rows[0][0]), *rows[0][1]};
}

}  // namespace sluice::test
