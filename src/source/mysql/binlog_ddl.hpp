#pragma once
// Recognises the DDL statements (binlog QUERY events) that touch a captured table's
// shape: ALTER, DROP, RENAME, TRUNCATE. Everything else is ignored by the source.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::mysql {

enum class DdlKind : uint8_t { kAlter, kDrop, kRename, kTruncate };

struct DdlStatement {
  DdlKind kind = DdlKind::kAlter;
  // database.table for every table the statement names (RENAME: the old names).
  std::vector<std::string> tables;
};

// `default_database` is the QUERY event's current database, for unqualified names.
std::optional<DdlStatement> parse_ddl(std::string_view statement,
                                      std::string_view default_database);

// True for BEGIN, COMMIT, ROLLBACK, XA ... and SAVEPOINT statements.
bool is_transaction_control(std::string_view statement);

}  // namespace sluice::mysql
