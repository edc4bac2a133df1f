#include "demo/demo_sql.hpp"

#include <fmt/format.h>

namespace sluice::demo {

std::string DemoSql::drop_tables() const {
  return "DROP TABLE IF EXISTS ticket_activity, ticket, customer, sport_event";
}

// No foreign keys: the scenario's left joins must cope with an activity whose ticket or
// customer is missing, and the source must be able to hold such rows.
std::vector<std::string> DemoSql::create_tables() const {
  // MySQL's TIMESTAMP converts to the session time zone and ends in 2038; DATETIME(6) is
  // the usual choice there. Short text columns are VARCHAR in MySQL, text in PostgreSQL.
  bool pg = dialect_ == Dialect::kPostgres;
  std::string_view text = pg ? "text" : "varchar(100)";
  std::string_view timestamp = pg ? "timestamp" : "datetime(6)";
  return {
      fmt::format("CREATE TABLE sport_event (event_id int PRIMARY KEY, sport_type {0}, "
                  "start_date date, location {0})",
                  text),
      fmt::format("CREATE TABLE ticket (ticket_id int PRIMARY KEY, event_id int, seat_level {0}, "
                  "seat_location {0}, ticket_price int)",
                  text),
      fmt::format("CREATE TABLE customer (customer_id int PRIMARY KEY, name {0}, email {0}, "
                  "phone {0})",
                  text),
      fmt::format("CREATE TABLE ticket_activity (ticket_id int PRIMARY KEY, purchased_by int, "
                  "created_at {0}, updated_at {0})",
                  timestamp),
  };
}

std::string DemoSql::literal(std::string_view value) const {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    // MySQL treats backslash as an escape in literals; PostgreSQL (standard strings) not.
    if (c == '\\' && dialect_ == Dialect::kMysql) out += '\\';
    out += c;
  }
  return out + "'";
}

std::string DemoSql::insert_into(std::string_view table, std::string_view columns) const {
  return fmt::format("INSERT INTO {} ({}) VALUES ", table, columns);
}

std::string DemoSql::insert_purchases(
    const std::vector<std::pair<int64_t, int64_t>>& purchases) const {
  std::string sql = dialect_ == Dialect::kPostgres ? "INSERT" : "INSERT IGNORE";
  sql += " INTO ticket_activity (ticket_id, purchased_by, created_at, updated_at) VALUES ";
  for (size_t i = 0; i < purchases.size(); ++i)
    fmt::format_to(std::back_inserter(sql), "{}({}, {}, {}, {})", i == 0 ? "" : ",",
                   purchases[i].first, purchases[i].second, now(), now());
  if (dialect_ == Dialect::kPostgres) sql += " ON CONFLICT (ticket_id) DO NOTHING";
  return sql;
}

std::string DemoSql::unsold_ticket_ids() const {
  return "SELECT t.ticket_id FROM ticket t WHERE NOT EXISTS "
         "(SELECT 1 FROM ticket_activity a WHERE a.ticket_id = t.ticket_id) ORDER BY t.ticket_id";
}

std::string DemoSql::customer_ids() const {
  return "SELECT customer_id FROM customer ORDER BY customer_id";
}

std::string DemoSql::lock_activity(int64_t ticket_id) const {
  return fmt::format(
      "SELECT purchased_by, updated_at FROM ticket_activity WHERE ticket_id = {} FOR UPDATE",
      ticket_id);
}

std::string DemoSql::random_other_customer(int64_t except) const {
  std::string_view random = dialect_ == Dialect::kPostgres ? "random()" : "RAND()";
  std::string where = except < 0 ? "" : fmt::format(" WHERE customer_id <> {}", except);
  return fmt::format("SELECT customer_id FROM customer{} ORDER BY {} LIMIT 1", where, random);
}

std::string DemoSql::reassign(int64_t ticket_id, int64_t customer_id) const {
  return fmt::format(
      "UPDATE ticket_activity SET purchased_by = {}, updated_at = {} WHERE ticket_id = {}",
      customer_id, now(), ticket_id);
}

std::string DemoSql::activity_updated_at(int64_t ticket_id) const {
  return fmt::format("SELECT updated_at FROM ticket_activity WHERE ticket_id = {}", ticket_id);
}

std::string DemoSql::begin() const {
  return dialect_ == Dialect::kPostgres ? "BEGIN" : "START TRANSACTION";
}

// Microseconds in both, so two updates within one second still differ.
std::string_view DemoSql::now() const {
  return dialect_ == Dialect::kPostgres ? "localtimestamp" : "NOW(6)";
}

}  // namespace sluice::demo
