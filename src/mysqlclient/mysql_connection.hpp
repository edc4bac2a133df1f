#pragma once
// A MariaDB Connector/C connection shared by the MySQL source, its admin commands, the
// demo generators and the tests: RAII ownership of the MYSQL handle, connection URLs
// (mysql://user:password@host:port/db?ssl-mode=...&ssl-ca=...), and SQL whose errors
// carry the server's message but never the password.

#include <mysql.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace sluice {

// A parsed mysql:// URL. User and password are percent-decoded.
struct MySqlUrl {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string user;
  std::string password;
  std::string database;
  // Query parameters in order: ssl-mode, ssl-ca, ssl-capath, ssl-cert, ssl-key, ssl-cipher,
  // ssl-crl, tls-version, connect-timeout, read-timeout (seconds), socket.
  std::vector<std::pair<std::string, std::string>> options;
};

// Throws ConfigError (with the redacted URL) on a malformed URL or unknown parameter.
MySqlUrl parse_mysql_url(std::string_view url);

using MySqlRows = std::vector<std::vector<std::optional<std::string>>>;

class MySqlConnection {
 public:
  // Connects; throws ConnectionError (refused, unreachable, too many connections, server
  // shutting down) or ConfigError (authentication, unknown database, TLS setup: a retry
  // will not fix them). `what` names the end ("source", "demo") in messages.
  MySqlConnection(std::string_view url, std::string_view what);
  MySqlConnection(const MySqlUrl& url, std::string_view what);
  ~MySqlConnection();
  MySqlConnection(const MySqlConnection&) = delete;
  MySqlConnection& operator=(const MySqlConnection&) = delete;

  MYSQL* raw() { return conn_; }
  const MySqlUrl& url() const { return url_; }
  std::string_view what() const { return what_; }

  // For a caller that acts on the failure: an Error with the server's errno as
  // server_code, coded kConnectionLost (the server is gone), kDeadlock, kSerializationFailure
  // (a lock wait timed out, or a snapshot conflict), kUniqueViolation or kRefused (syntax,
  // privileges and the rest), with the message the throwing calls below raise.
  Result<void> try_exec(std::string_view sql);
  Result<MySqlRows> try_query(std::string_view sql);

  // Runs SQL whose result, if any, is discarded; throws like fail().
  void exec(std::string_view sql);
  // Runs a query and returns every row; a SQL NULL is nullopt. Throws like fail().
  MySqlRows query(std::string_view sql);
  // The first column of the first row, or nullopt when NULL or no row.
  std::optional<std::string> scalar(std::string_view sql);

  // `name` quoted with backticks; `value` as a quoted string literal for this connection.
  static std::string quote_identifier(std::string_view name);
  std::string quote_literal(std::string_view value);

  bool is_mariadb() const;
  unsigned long server_version() const { return mysql_get_server_version(conn_); }

  // Throws the right error type for the connection's last error: ConnectionError when
  // the server is gone, else FatalError (or ConfigError for privilege errors).
  [[noreturn]] void fail(std::string_view context) const;

 private:
  void connect();
  // The connection's last error, for the statement `context`.
  Error error_of(std::string_view context) const;

  MySqlUrl url_;
  std::string what_;
  MYSQL* conn_ = nullptr;
};

// True for client and server error codes that mean the connection is gone or refused:
// reconnecting later may succeed.
bool is_connection_lost_error(unsigned error_code);

// Reads a result set row by row without holding it in memory (mysql_use_result): for
// the snapshot, where a table can be larger than memory. The connection must not be used
// for anything else until the stream is destroyed.
class MySqlRowStream {
 public:
  MySqlRowStream(MySqlConnection& conn, std::string_view sql);
  ~MySqlRowStream();
  MySqlRowStream(const MySqlRowStream&) = delete;
  MySqlRowStream& operator=(const MySqlRowStream&) = delete;

  unsigned field_count() const { return fields_; }
  const MYSQL_FIELD& field(unsigned i) const { return field_info_[i]; }
  // Moves to the next row; false at the end. Throws like MySqlConnection::fail.
  bool next();
  // Field i of the current row, or nullopt for NULL.
  std::optional<std::string_view> value(unsigned i) const {
    if (row_[i] == nullptr) return std::nullopt;
    return std::string_view(row_[i], lengths_[i]);
  }

 private:
  MySqlConnection& conn_;
  MYSQL_RES* result_ = nullptr;
  MYSQL_FIELD* field_info_ = nullptr;
  unsigned fields_ = 0;
  MYSQL_ROW row_ = nullptr;
  unsigned long* lengths_ = nullptr;
};

}  // namespace sluice
