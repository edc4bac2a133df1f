#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/sql_client.hpp"

namespace sluice::test {

struct TableChecksum {
  int64_t rows = 0;
  std::string checksum;  // md5 of every row's text, ordered by the key
};

TableChecksum table_checksum(PgClient& db, const std::string& table,
                             const std::vector<std::string>& key);

}  // namespace sluice::test
