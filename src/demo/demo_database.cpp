#include "demo/demo_database.hpp"

#include <fmt/format.h>

#include <charconv>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "mysqlclient/mysql_connection.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice::demo {
namespace {

Dialect dialect_of(const std::string& url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return Dialect::kPostgres;
  if (url.starts_with("mysql://")) return Dialect::kMysql;
  throw ConfigError(
      fmt::format("--url {}: expected postgresql://... or mysql://...", redact_url(url)));
}

std::vector<DemoRow> pg_rows(const PgResult& result) {
  std::vector<DemoRow> rows;
  int columns = PQnfields(result.get());
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    DemoRow& row = rows.emplace_back();
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c))
        row.emplace_back();
      else
        row.emplace_back(PQgetvalue(result.get(), r, c));
    }
  }
  return rows;
}

int64_t to_int(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    throw FatalError(fmt::format("demo: expected an integer from the database, got '{}'", text));
  return value;
}

}  // namespace

DemoDatabase::DemoDatabase(const std::string& url) : sql_(dialect_of(url)) {
  if (sql_.dialect() == Dialect::kPostgres)
    pg_ = std::make_unique<PgConnection>(url, PgConnection::Mode::kNormal, "demo");
  else
    mysql_ = std::make_unique<MySqlConnection>(url, "demo");
}

DemoDatabase::~DemoDatabase() = default;

void DemoDatabase::exec(std::string_view sql) {
  if (pg_)
    pg_->exec(sql);
  else
    mysql_->exec(sql);
}

std::vector<DemoRow> DemoDatabase::rows(std::string_view sql) {
  if (pg_) return pg_rows(pg_->query_simple(sql));
  return mysql_->query(sql);
}

// Streams the column instead of building rows: ticket tables can hold millions of ids.
std::vector<int64_t> DemoDatabase::int_column(std::string_view sql) {
  std::vector<int64_t> out;
  if (pg_) {
    PgResult result = pg_->query_simple(sql);
    out.reserve(static_cast<size_t>(PQntuples(result.get())));
    for (int r = 0; r < PQntuples(result.get()); ++r)
      if (!PQgetisnull(result.get(), r, 0)) out.push_back(to_int(PQgetvalue(result.get(), r, 0)));
    return out;
  }
  MySqlRowStream stream(*mysql_, sql);
  while (stream.next())
    if (std::optional<std::string_view> value = stream.value(0)) out.push_back(to_int(*value));
  return out;
}

}  // namespace sluice::demo
