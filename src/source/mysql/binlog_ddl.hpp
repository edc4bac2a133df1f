#pragma once
// Recognises the DDL statements (binlog QUERY events) that touch a captured table's
// shape: ALTER, DROP, RENAME (also ALTER TABLE ... RENAME TO), TRUNCATE. Keywords match
// in any case, through comments, backquotes and db.table names. Everything else is
// ignored by the source.

#include <map>
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
  // RENAME: the new name of each of `tables`, in the statement's order (which is the
  // order the server applies them in: "a TO a_old, a_new TO a" swaps).
  std::vector<std::string> renamed_to;
};

// `default_database` is the QUERY event's current database, for unqualified names.
std::optional<DdlStatement> parse_ddl(std::string_view statement,
                                      std::string_view default_database);

// For each name a RENAME statement touches, the name before the statement of the table
// that now has it; "" when none does. `a TO a_old, a_new TO a` gives a: a_new,
// a_new: "", a_old: a.
std::map<std::string, std::string> tables_after_rename(const DdlStatement& rename);

// True for BEGIN, COMMIT, ROLLBACK, XA ... and SAVEPOINT statements.
bool is_transaction_control(std::string_view statement);

}  // namespace sluice::mysql
