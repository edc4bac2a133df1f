#include "pgclient/pg_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/connected_ends.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "pgclient/pg_url.hpp"

namespace sluice {
namespace {

std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text)
    if (c == '\n') c = ' ';
  return text;
}

// Connection exceptions, operator intervention (admin shutdown, "cannot connect now")
// and too many connections all end the session, which a reconnect can fix.
Errc errc_of(std::string_view sqlstate, bool broken) {
  if (broken || sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate == "53300")
    return Errc::kConnectionLost;
  if (sqlstate == "40001") return Errc::kSerializationFailure;
  if (sqlstate == "40P01") return Errc::kDeadlock;
  if (sqlstate == "23505") return Errc::kUniqueViolation;
  return Errc::kRefused;
}

// libpq's parse errors quote the offending piece of the string ("invalid percent-encoded
// token: ..."), which may be the password: name the string only through redact_url().
void check_parses(const std::string& conninfo, std::string_view url, std::string_view what) {
  // As with expand_dbname, anything else is a plain database name.
  bool expanded = conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://") ||
                  conninfo.find('=') != std::string::npos;
  if (!expanded) return;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options != nullptr) {
    PQconninfoFree(options);
    return;
  }
  PQfreemem(error);
  throw ConfigError(fmt::format(
      "{}: cannot parse the connection string {}: write postgresql://user:password@host:port/db "
      "(percent-encode '?' in a password and '%' in parameter values) or key=value pairs (quote "
      "a value with spaces as key='a b')",
      what, redact_url(url)));
}

// Certificate failures (unknown CA, no root certificate file, a name the certificate does
// not hold) and a server without TLS: retrying will not fix them. Other SSL errors, such
// as a connection dropped during the handshake, stay transient.
bool is_tls_setup_error(const std::string& message) {
  return message.find("certificate") != std::string::npos ||
         message.find("SSL was required") != std::string::npos;
}

std::string error_field(const PGresult* result, int field) {
  const char* value = PQresultErrorField(result, field);
  return value != nullptr ? one_line(value) : std::string();
}

// The hint says what to do and quotes no row; DETAIL and CONTEXT may, so they go to the
// debug log only.
std::string with_hint(std::string message, const PGresult* result) {
  std::string hint = error_field(result, PG_DIAG_MESSAGE_HINT);
  return hint.empty() ? message : message + " HINT: " + hint;
}

void log_error_details(std::string_view what, std::string_view context, const PGresult* result) {
  std::string detail = error_field(result, PG_DIAG_MESSAGE_DETAIL);
  std::string where = error_field(result, PG_DIAG_CONTEXT);
  if (!detail.empty() || !where.empty())
    spdlog::debug("{}: {}: DETAIL: {} CONTEXT: {}", what, context, detail, where);
}

// The settings that shape text both ways (values sluice reads, literals and COPY text it
// writes), pinned so that a server, database or role configured otherwise changes
// nothing. Redshift (a PostgreSQL 8.0 to clients) has neither IntervalStyle (8.4) nor
// bytea_output (9.0), and caps extra_float_digits at 2 there; 2 digits still print a
// float8 exactly before PostgreSQL 12's shortest-exact output.
std::string session_settings_sql(int server_version) {
  std::string sql =
      "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; ";
  if (server_version >= 80400) sql += "SET IntervalStyle = 'postgres'; ";
  if (server_version >= 90000)
    sql += "SET bytea_output = 'hex'; SET extra_float_digits = 3";
  else
    sql += "SET extra_float_digits = 2";
  return sql;
}

}  // namespace

PgConnection::PgConnection(const std::string& url, Mode mode, std::string_view what) : what_(what) {
  std::string conninfo = libpq_url(url);
  check_parses(conninfo, url, what_);
  std::vector<const char*> keys = {"dbname", "application_name", "connect_timeout"};
  std::vector<const char*> values = {conninfo.c_str(), "sluice", "10"};
  if (mode == Mode::kReplication) {
    keys.push_back("replication");
    values.push_back("database");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn_ == nullptr) throw ConnectionError(fmt::format("{}: out of memory connecting", what_));
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's messages name host and user, and should not name the password; scrub it
    // anyway, in every form the string holds it.
    std::vector<std::string> secrets = url_secrets(url);
    for (std::string& secret : url_secrets(conninfo)) secrets.push_back(std::move(secret));
    std::string message = scrub_secrets(one_line(PQerrorMessage(conn_)), std::move(secrets));
    std::string address = fmt::format("{}:{}", PQhost(conn_), PQport(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    bool permanent = message.find("password authentication failed") != std::string::npos ||
                     message.find("does not exist") != std::string::npos ||
                     message.find("no pg_hba.conf entry") != std::string::npos ||
                     message.find("invalid") != std::string::npos ||
                     message.find("password is required") != std::string::npos ||
                     is_tls_setup_error(message);
    std::string text = fmt::format("{}: cannot connect: {}", what_, message);
    if (permanent) throw ConfigError(text);
    throw ConnectFailedError(what_, address, message);
  }
  // A server error's DETAIL and CONTEXT can quote row values ("Failing row contains ..."),
  // and its LINE excerpt the statement: messages carry severity, primary text and position
  // only, and fail() logs the rest at debug level.
  PQsetErrorVerbosity(conn_, PQERRORS_TERSE);
  note_connected(what_);
  // Server notices ("relation already exists, skipping") are expected; keep them at debug.
  PQsetNoticeProcessor(
      conn_,
      [](void*, const char* message) { spdlog::debug("server notice: {}", one_line(message)); },
      nullptr);
  try {
    apply_session_settings();
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

// Over the simple query protocol, the only one a walsender speaks: in a
// replication=database session the settings also shape what pgoutput sends.
void PgConnection::apply_session_settings() {
  query_simple(session_settings_sql(server_version()));
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool PgConnection::is_broken() const {
  return PQstatus(conn_) != CONNECTION_OK;
}

void PgConnection::fail(std::string_view context, const PGresult* result) const {
  error_of(context, result).raise();
}

Error PgConnection::error_of(std::string_view context, const PGresult* result) const {
  if (result == nullptr) return error_with(context, "", result);
  log_error_details(what_, context, result);
  return error_with(context, with_hint(one_line(PQresultErrorMessage(result)), result), result);
}

Error PgConnection::error_with(std::string_view context, std::string message,
                               const PGresult* result) const {
  if (message.empty()) message = one_line(PQerrorMessage(conn_));
  std::string state = result != nullptr ? error_field(result, PG_DIAG_SQLSTATE) : std::string();
  return Error(errc_of(state, is_broken()), fmt::format("{}: {}: {}", what_, context, message),
               state);
}

Result<PgResult> PgConnection::checked(PgResult result, std::string_view sql) const {
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return error_of(sql.substr(0, 120), result.get());
  return result;
}

Result<PgResult> PgConnection::try_query(std::string_view sql,
                                         const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  return checked(
      PgResult(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(values.size()),
                            nullptr, values.data(), nullptr, nullptr, 0)),
      sql);
}

Result<void> PgConnection::try_exec(std::string_view sql) {
  Result<PgResult> result = checked(PgResult(PQexec(conn_, std::string(sql).c_str())), sql);
  if (!result) return result.error();
  return {};
}

Result<void> PgConnection::try_exec_params(std::string_view sql,
                                           const std::vector<const char*>& values) {
  Result<PgResult> result = checked(
      PgResult(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(values.size()),
                            nullptr, values.data(), nullptr, nullptr, 0)),
      sql);
  if (!result) return result.error();
  return {};
}

void PgConnection::exec(std::string_view sql) {
  query_simple(sql);
}

Result<void> PgConnection::try_exec_secret(std::string_view sql, std::string_view shown) {
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
  const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
  // Without a result (a broken connection) libpq's own message holds no SQL either.
  return error_with(shown, one_line(primary != nullptr ? primary : ""), result.get());
}

PgResult PgConnection::query(std::string_view sql, const std::vector<std::string>& params) {
  return try_query(sql, params).value_or_raise();
}

void PgConnection::exec_params(std::string_view sql, const std::vector<const char*>& values) {
  try_exec_params(sql, values).value_or_raise();
}

PgResult PgConnection::query_simple(std::string_view sql) {
  return checked(PgResult(PQexec(conn_, std::string(sql).c_str())), sql).value_or_raise();
}

std::optional<std::string> PgConnection::scalar(std::string_view sql,
                                                const std::vector<std::string>& params) {
  PgResult result = params.empty() ? query_simple(sql) : query(sql, params);
  if (PQntuples(result.get()) == 0 || PQgetisnull(result.get(), 0, 0)) return std::nullopt;
  return std::string(PQgetvalue(result.get(), 0, 0));
}

void PgConnection::copy_in_start(std::string_view sql) {
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  if (PQresultStatus(result.get()) != PGRES_COPY_IN) fail(sql.substr(0, 120), result.get());
}

void PgConnection::copy_in_send(std::string_view data) {
  if (data.empty()) return;
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1)
    fail("COPY send", nullptr);
}

void PgConnection::copy_in_end() {
  if (PQputCopyEnd(conn_, nullptr) != 1) fail("COPY end", nullptr);
  PgResult result(PQgetResult(conn_));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) fail("COPY", result.get());
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

std::string PgConnection::quote_identifier(std::string_view name) {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (quoted == nullptr) fail("quote identifier", nullptr);
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

std::string PgConnection::quote_literal(std::string_view value) {
  char* quoted = PQescapeLiteral(conn_, value.data(), value.size());
  if (quoted == nullptr) fail("quote literal", nullptr);
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

std::string qualified(PgConnection& conn, std::string_view schema, std::string_view table) {
  return conn.quote_identifier(schema) + "." + conn.quote_identifier(table);
}

}  // namespace sluice
