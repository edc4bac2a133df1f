#pragma once
// A libpq connection shared by the PostgreSQL source and sink: RAII ownership, SQL with
// errors that carry the server's message (never the connection string) and SQLSTATE,
// and COPY.

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sluice {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConnection {
 public:
  enum class Mode { kNormal, kReplication };

  // Connects and pins the session settings that shape text (client_encoding UTF8,
  // DateStyle ISO, TimeZone UTC, IntervalStyle postgres, bytea_output hex,
  // extra_float_digits 3); throws ConnectionError (server unreachable, too many
  // connections) or ConfigError (authentication or database errors a retry will not fix).
  // `what` names the end ("source", "sink") in messages.
  PgConnection(const std::string& url, Mode mode, std::string_view what);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* raw() { return conn_; }

  // For a caller that acts on the failure: an Error coded from the SQLSTATE, which it
  // keeps as server_code, with the message the throwing calls below raise.
  Result<PgResult> try_query(std::string_view sql, const std::vector<std::string>& params = {});
  Result<void> try_exec(std::string_view sql);
  Result<void> try_exec_params(std::string_view sql, const std::vector<const char*>& values);
  // Runs SQL that holds secrets (credentials in a COPY). A failure names `shown` instead
  // of the statement and carries only the server's primary message: the full one can
  // quote the statement around the error position.
  Result<void> try_exec_secret(std::string_view sql, std::string_view shown);

  // Runs SQL that returns no rows (or rows the caller ignores).
  void exec(std::string_view sql);
  // Runs a query with text parameters; throws on error.
  PgResult query(std::string_view sql, const std::vector<std::string>& params = {});
  // Runs a statement with text parameters; a null pointer is SQL NULL.
  void exec_params(std::string_view sql, const std::vector<const char*>& values);
  // Runs a statement over the simple query protocol (the only one walsenders speak).
  PgResult query_simple(std::string_view sql);
  // The first column of the first row, or nullopt when NULL or no row.
  std::optional<std::string> scalar(std::string_view sql,
                                    const std::vector<std::string>& params = {});

  // COPY ... FROM STDIN: start, send any number of chunks, end.
  void copy_in_start(std::string_view sql);
  void copy_in_send(std::string_view data);
  void copy_in_end();

  std::string quote_identifier(std::string_view name);
  std::string quote_literal(std::string_view value);

  // True when the connection's socket is broken (as opposed to a failed statement).
  bool is_broken() const;
  int server_version() const { return PQserverVersion(conn_); }

  // Throws the right error type for a failed result (Error::raise).
  [[noreturn]] void fail(std::string_view context, const PGresult* result) const;

 private:
  void apply_session_settings();
  Result<PgResult> checked(PgResult result, std::string_view sql) const;
  Error error_of(std::string_view context, const PGresult* result) const;
  Error error_with(std::string_view context, std::string message, const PGresult* result) const;

  PGconn* conn_ = nullptr;
  std::string what_;
};

// Quotes "schema"."table" for SQL.
std::string qualified(PgConnection& conn, std::string_view schema, std::string_view table);

}  // namespace sluice
