#include "source/postgres/snapshot_copier.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"
#include "source/copy_progress.hpp"

namespace sluice::pg {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;

// Hands out COPY TO STDOUT rows gathered into chunks of whole lines.
class CopyOutReader : public CopyTextReader {
 public:
  CopyOutReader(PgConnection& conn, std::string table_name)
      : conn_(conn), table_name_(std::move(table_name)), progress_(table_name_) {
    chunk_.reserve(kChunkBytes + 4096);
  }
  ~CopyOutReader() override {
    if (row_ != nullptr) PQfreemem(row_);
  }
  CopyOutReader(const CopyOutReader&) = delete;
  CopyOutReader& operator=(const CopyOutReader&) = delete;

  std::optional<std::string_view> next_chunk() override {
    chunk_.clear();
    while (!done_ && chunk_.size() < kChunkBytes) {
      if (row_ != nullptr) {
        PQfreemem(row_);
        row_ = nullptr;
      }
      int length = PQgetCopyData(conn_.raw(), &row_, /*async=*/0);
      if (length == -1) {
        finish();
        break;
      }
      if (length < 0) conn_.fail(fmt::format("COPY {}", table_name_), nullptr);
      chunk_.append(row_, static_cast<size_t>(length));
      progress_.count_row();
    }
    progress_.report(false);
    if (chunk_.empty()) return std::nullopt;
    return std::string_view(chunk_);
  }

 private:
  void finish() {
    done_ = true;
    PgResult result(PQgetResult(conn_.raw()));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      conn_.fail(fmt::format("COPY {}", table_name_), result.get());
    while (PGresult* extra = PQgetResult(conn_.raw())) PQclear(extra);
    progress_.report(true);
  }

  PgConnection& conn_;
  std::string table_name_;
  std::string chunk_;
  char* row_ = nullptr;
  bool done_ = false;
  CopyProgress progress_;
};

}  // namespace

void copy_table_in_snapshot(const std::string& url, const std::string& snapshot_name,
                            const TableSchemaPtr& table, SnapshotConsumer& consumer) {
  PgConnection conn(url, PgConnection::Mode::kNormal, "source");
  conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!snapshot_name.empty())
    conn.exec(fmt::format("SET TRANSACTION SNAPSHOT {}", conn.quote_literal(snapshot_name)));
  std::string columns;
  for (const Column& c : table->columns) {
    if (!columns.empty()) columns += ", ";
    columns += conn.quote_identifier(c.name);
  }
  std::string name = qualified(conn, table->schema, table->name);
  // COPY refuses a partitioned table itself; a query reads the rows of all its partitions.
  bool partitioned =
      conn.scalar("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass($1)", {name})
          .value_or("f") == "t";
  std::string sql = partitioned ? fmt::format("COPY (SELECT {} FROM {}) TO STDOUT", columns, name)
                                : fmt::format("COPY {} ({}) TO STDOUT", name, columns);
  PgResult started(PQexec(conn.raw(), sql.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_OUT) conn.fail(sql, started.get());
  CopyOutReader reader(conn, table->qualified_name());
  consumer.load_table(table, reader);
  conn.exec("COMMIT");
}

}  // namespace sluice::pg
