#include "harness/sql_client.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace sluice::test {
namespace {

struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { PQclear(result); }
};

}  // namespace

PgClient::PgClient(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
  if (PQstatus(connection_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection_);
    PQfinish(connection_);
    throw std::runtime_error("cannot connect to " + url + ": " + message);
  }
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

PgClient::~PgClient() {
  PQfinish(connection_);
}

void PgClient::exec(const std::string& sql) {
  query(sql);
}

std::vector<SqlRow> PgClient::query(const std::string& sql) {
  ResultGuard guard{PQexec(connection_, sql.c_str())};
  ExecStatusType status = PQresultStatus(guard.result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string(PQerrorMessage(connection_)) + "in: " + sql);
  std::vector<SqlRow> rows;
  for (int r = 0; r < PQntuples(guard.result); ++r) {
    SqlRow& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(guard.result); ++c) {
      if (PQgetisnull(guard.result, r, c))
        row.emplace_back(std::nullopt);
      else
        row.emplace_back(PQgetvalue(guard.result, r, c));
    }
  }
  return rows;
}

std::string PgClient::scalar(const std::string& sql) {
  std::vector<SqlRow> rows = query(sql);
  if (rows.empty() || rows[0].empty()) return "";
  return rows[0][0].value_or("NULL");
}

}  // namespace sluice::test
