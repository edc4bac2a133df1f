#include "mysqlclient/mysql_connection.hpp"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysqld_error.h>

#include <algorithm>
#include <charconv>
#include <mutex>

#include "config/pipeline_config.hpp"
#include "core/connected_ends.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"

namespace sluice {
namespace {

constexpr unsigned kDefaultConnectTimeoutSeconds = 10;
// MySQL 8.0.24+ closes idle sessions with this code (ER_CLIENT_INTERACTION_TIMEOUT).
constexpr unsigned kClientInteractionTimeout = 4031;

std::string percent_decode(std::string_view text, std::string_view redacted) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size() ||
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr !=
            text.data() + i + 3)
      throw ConfigError(fmt::format("malformed percent escape in URL {}", redacted));
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

bool is_known_option(std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      "ssl-mode", "ssl-ca",      "ssl-capath",      "ssl-cert",     "ssl-key", "ssl-cipher",
      "ssl-crl",  "tls-version", "connect-timeout", "read-timeout", "socket"};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

void parse_query(std::string_view query, std::string_view redacted, MySqlUrl& out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key(pair.substr(0, eq));
    std::replace(key.begin(), key.end(), '_', '-');
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_known_option(key))
      throw ConfigError(
          fmt::format("unknown parameter '{}' in URL {} (known: ssl-mode, ssl-ca, "
                      "ssl-capath, ssl-cert, ssl-key, ssl-cipher, ssl-crl, "
                      "tls-version, connect-timeout, read-timeout, socket)",
                      key, redacted));
    std::string value =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), redacted);
    out.options.emplace_back(std::move(key), std::move(value));
  }
}

void parse_host_port(std::string_view hostport, std::string_view redacted, MySqlUrl& out) {
  if (hostport.empty()) return;
  size_t colon = hostport.rfind(':');
  if (hostport.front() == '[') {  // [::1]:3306
    size_t close = hostport.find(']');
    if (close == std::string_view::npos)
      throw ConfigError(fmt::format("malformed host in URL {}", redacted));
    out.host = std::string(hostport.substr(1, close - 1));
    colon = hostport.find(':', close);
  } else {
    out.host = std::string(hostport.substr(0, colon));
  }
  if (colon == std::string_view::npos) return;
  std::string_view port = hostport.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc() || ptr != port.data() + port.size() || out.port == 0 || out.port > 65535)
    throw ConfigError(fmt::format("malformed port in URL {}", redacted));
}

std::once_flag library_once;

void init_library() {
  // mysql_library_init is not thread-safe; mysql_init would call it implicitly from
  // whichever snapshot thread connects first.
  std::call_once(library_once, [] { mysql_library_init(0, nullptr, nullptr); });
}

std::string option(const MySqlUrl& url, std::string_view key) {
  for (const auto& [k, v] : url.options)
    if (k == key) return v;
  return {};
}

unsigned seconds_option(const MySqlUrl& url, std::string_view key, unsigned fallback,
                        std::string_view redacted) {
  std::string text;
  for (const auto& [k, v] : url.options)
    if (k == key) text = v;  // the last one wins, so callers can override the user's
  if (text.empty()) return fallback;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size())
    throw ConfigError(
        fmt::format("{} '{}' in URL {} is not a number of seconds", key, text, redacted));
  return value;
}

bool is_config_error(unsigned code) {
  switch (code) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_BAD_DB_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
    case ER_ACCOUNT_HAS_BEEN_LOCKED:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case CR_SSL_CONNECTION_ERROR:
    case CR_UNKNOWN_HOST:
      return true;
    default:
      return false;
  }
}

Errc errc_of(unsigned code) {
  if (is_connection_lost_error(code)) return Errc::kConnectionLost;
  switch (code) {
    case ER_LOCK_DEADLOCK:
      return Errc::kDeadlock;
    // The transaction lost the race for a row, waiting for its lock or (MariaDB's
    // innodb_snapshot_isolation) finding it changed since its snapshot: a new attempt
    // can win it.
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_CHECKREAD:
      return Errc::kSerializationFailure;
    case ER_DUP_ENTRY:
    case ER_DUP_ENTRY_WITH_KEY_NAME:
      return Errc::kUniqueViolation;
    default:
      return Errc::kRefused;
  }
}

// The throwing form of a statement's Error: ConfigError for the privilege errors a retry
// will not fix, else Error::raise.
[[noreturn]] void raise(const Error& error) {
  unsigned code = 0;
  const std::string& text = error.server_code();
  std::from_chars(text.data(), text.data() + text.size(), code);
  if (is_config_error(code)) throw ConfigError(error.message());
  error.raise();
}

void set_string_option(MYSQL* conn, mysql_option opt, const std::string& value) {
  if (!value.empty()) mysql_optionsv(conn, opt, value.c_str());
}

// ssl-mode follows the MySQL client's names. The connector encrypts only when asked
// (MYSQL_OPT_SSL_ENFORCE) and verifies the certificate only when told to.
void apply_tls_options(MYSQL* conn, const MySqlUrl& url, std::string_view redacted) {
  std::string mode = option(url, "ssl-mode");
  std::transform(mode.begin(), mode.end(), mode.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  my_bool enforce = 0;
  my_bool verify = 0;
  if (mode == "REQUIRED") {
    enforce = 1;
  } else if (mode == "VERIFY_CA" || mode == "VERIFY_IDENTITY") {
    enforce = 1;
    verify = 1;
  } else if (!mode.empty() && mode != "DISABLED" && mode != "PREFERRED") {
    throw ConfigError(fmt::format(
        "ssl-mode '{}' in URL {}: use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY",
        mode, redacted));
  }
  mysql_optionsv(conn, MYSQL_OPT_SSL_ENFORCE, &enforce);
  mysql_optionsv(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  set_string_option(conn, MYSQL_OPT_SSL_CA, option(url, "ssl-ca"));
  set_string_option(conn, MYSQL_OPT_SSL_CAPATH, option(url, "ssl-capath"));
  set_string_option(conn, MYSQL_OPT_SSL_CERT, option(url, "ssl-cert"));
  set_string_option(conn, MYSQL_OPT_SSL_KEY, option(url, "ssl-key"));
  set_string_option(conn, MYSQL_OPT_SSL_CIPHER, option(url, "ssl-cipher"));
  set_string_option(conn, MYSQL_OPT_SSL_CRL, option(url, "ssl-crl"));
  set_string_option(conn, MARIADB_OPT_TLS_VERSION, option(url, "tls-version"));
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// Server messages quote the user and host, never the password; strip it anyway should a
// message ever echo it (a password containing a word of the message would survive).
std::string without_password(std::string text, const std::string& password) {
  if (password.size() < 2) return text;
  for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at))
    text.replace(at, password.size(), "****");
  return text;
}

// Pinned on every connection, so that a server configured otherwise changes nothing:
// utf8mb4 for names and values even where the server ignores the handshake's character
// set (character_set_client_handshake=OFF), and TIMESTAMP values in UTC, the binlog's
// instants, whatever default_time_zone or init_connect says.
constexpr std::string_view kSessionSettings = "SET NAMES utf8mb4, time_zone = '+00:00'";

bool apply_session_settings(MYSQL* conn) {
  return mysql_real_query(conn, kSessionSettings.data(), kSessionSettings.size()) == 0;
}

}  // namespace

MySqlUrl parse_mysql_url(std::string_view url) {
  std::string redacted = redact_url(url);
  constexpr std::string_view kScheme = "mysql://";
  constexpr std::string_view kMariaScheme = "mariadb://";
  std::string_view rest;
  if (url.starts_with(kScheme))
    rest = url.substr(kScheme.size());
  else if (url.starts_with(kMariaScheme))
    rest = url.substr(kMariaScheme.size());
  else
    throw ConfigError(fmt::format("URL {} does not start with mysql://", redacted));
  MySqlUrl out;
  size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    parse_query(rest.substr(question + 1), redacted, out);
    rest = rest.substr(0, question);
  }
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    out.database = percent_decode(rest.substr(slash + 1), redacted);
    rest = rest.substr(0, slash);
  }
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    out.user = percent_decode(userinfo.substr(0, colon), redacted);
    if (colon != std::string_view::npos)
      out.password = percent_decode(userinfo.substr(colon + 1), redacted);
    rest = rest.substr(at + 1);
  }
  parse_host_port(rest, redacted, out);
  return out;
}

bool is_connection_lost_error(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_CON_COUNT_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_CONNECTION_KILLED:
    case kClientInteractionTimeout:
      return true;
    default:
      return false;
  }
}

MySqlConnection::MySqlConnection(std::string_view url, std::string_view what)
    : MySqlConnection(parse_mysql_url(url), what) {}

MySqlConnection::MySqlConnection(const MySqlUrl& url, std::string_view what)
    : url_(url), what_(what) {
  init_library();
  conn_ = mysql_init(nullptr);
  if (conn_ == nullptr) throw ConnectionError(fmt::format("{}: out of memory connecting", what_));
  try {
    connect();
  } catch (...) {
    mysql_close(conn_);
    conn_ = nullptr;
    throw;
  }
}

void MySqlConnection::connect() {
  std::string redacted =
      fmt::format("mysql://{}@{}:{}/{}", url_.user, url_.host, url_.port, url_.database);
  unsigned timeout =
      seconds_option(url_, "connect-timeout", kDefaultConnectTimeoutSeconds, redacted);
  mysql_optionsv(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (unsigned read = seconds_option(url_, "read-timeout", 0, redacted); read != 0)
    mysql_optionsv(conn_, MYSQL_OPT_READ_TIMEOUT, &read);
  mysql_optionsv(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  apply_tls_options(conn_, url_, redacted);
  std::string socket = option(url_, "socket");
  if (mysql_real_connect(conn_, url_.host.c_str(), url_.user.c_str(), url_.password.c_str(),
                         url_.database.empty() ? nullptr : url_.database.c_str(), url_.port,
                         socket.empty() ? nullptr : socket.c_str(), 0) == nullptr) {
    unsigned code = mysql_errno(conn_);
    std::string text = fmt::format("{}: cannot connect to {}: {}", what_, redacted,
                                   without_password(one_line(mysql_error(conn_)), url_.password));
    if (is_config_error(code)) throw ConfigError(text);
    throw ConnectFailedError(what_, fmt::format("{}:{}", url_.host, url_.port),
                             without_password(one_line(mysql_error(conn_)), url_.password));
  }
  if (!apply_session_settings(conn_)) fail(kSessionSettings);
  note_connected(what_);
}

MySqlConnection::~MySqlConnection() {
  if (conn_ != nullptr) mysql_close(conn_);
}

Error MySqlConnection::error_of(std::string_view context) const {
  unsigned code = mysql_errno(conn_);
  return Error(errc_of(code),
               fmt::format("{}: {}: {} (error {})", what_, context,
                           without_password(one_line(mysql_error(conn_)), url_.password), code),
               std::to_string(code));
}

void MySqlConnection::fail(std::string_view context) const {
  raise(error_of(context));
}

Result<void> MySqlConnection::try_exec(std::string_view sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) return error_of(sql.substr(0, 120));
  // Drain every result so the connection is ready for the next statement.
  do {
    if (MYSQL_RES* result = mysql_store_result(conn_))
      mysql_free_result(result);
    else if (mysql_field_count(conn_) != 0)
      return error_of(sql.substr(0, 120));
  } while (mysql_next_result(conn_) == 0);
  if (mysql_errno(conn_) != 0) return error_of(sql.substr(0, 120));
  return {};
}

void MySqlConnection::exec(std::string_view sql) {
  if (Result<void> done = try_exec(sql); !done) raise(done.error());
}

MySqlRows MySqlConnection::query(std::string_view sql) {
  Result<MySqlRows> rows = try_query(sql);
  if (!rows) raise(rows.error());
  return std::move(rows).value();
}

Result<MySqlRows> MySqlConnection::try_query(std::string_view sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) return error_of(sql.substr(0, 120));
  MYSQL_RES* result = mysql_store_result(conn_);
  if (result == nullptr) {
    if (mysql_field_count(conn_) != 0) return error_of(sql.substr(0, 120));
    return MySqlRows{};
  }
  MySqlRows rows;
  unsigned fields = mysql_num_fields(result);
  rows.reserve(mysql_num_rows(result));
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    auto& out = rows.emplace_back();
    out.reserve(fields);
    for (unsigned i = 0; i < fields; ++i) {
      if (row[i] == nullptr)
        out.emplace_back(std::nullopt);
      else
        out.emplace_back(std::string(row[i], lengths[i]));
    }
  }
  mysql_free_result(result);
  return rows;
}

std::optional<std::string> MySqlConnection::scalar(std::string_view sql) {
  MySqlRows rows = query(sql);
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

std::string MySqlConnection::quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

std::string MySqlConnection::quote_literal(std::string_view value) {
  std::string out(value.size() * 2 + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(conn_, out.data() + 1, value.data(), value.size());
  out.resize(n + 1);
  out.push_back('\'');
  return out;
}

bool MySqlConnection::is_mariadb() const {
  return mariadb_connection(conn_) != 0;
}

MySqlRowStream::MySqlRowStream(MySqlConnection& conn, std::string_view sql) : conn_(conn) {
  if (mysql_real_query(conn_.raw(), sql.data(), sql.size()) != 0) conn_.fail(sql.substr(0, 120));
  result_ = mysql_use_result(conn_.raw());
  if (result_ == nullptr) conn_.fail(sql.substr(0, 120));
  fields_ = mysql_num_fields(result_);
  field_info_ = mysql_fetch_fields(result_);
}

MySqlRowStream::~MySqlRowStream() {
  // Freeing an unfinished mysql_use_result reads the remaining rows off the wire.
  if (result_ != nullptr) mysql_free_result(result_);
}

bool MySqlRowStream::next() {
  row_ = mysql_fetch_row(result_);
  if (row_ == nullptr) {
    if (mysql_errno(conn_.raw()) != 0) conn_.fail("reading rows");
    return false;
  }
  lengths_ = mysql_fetch_lengths(result_);
  return true;
}

}  // namespace sluice
