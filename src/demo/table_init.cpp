// `sluice demo init`: the scenario's four tables, with dimensions full of fake data.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/error.hpp"
#include "demo/demo.hpp"
#include "demo/demo_database.hpp"
#include "demo/dimension_rows.hpp"

namespace sluice::demo {
namespace {

// Rows per INSERT statement: large enough to amortize round trips, small enough to stay far
// below MySQL's default max_allowed_packet.
constexpr int64_t kRowsPerStatement = 2000;

std::string values(const DemoSql& sql, const SportEvent& e) {
  return fmt::format("({}, {}, {}, {})", e.event_id, sql.literal(e.sport_type),
                     sql.literal(e.start_date), sql.literal(e.location));
}

std::string values(const DemoSql& sql, const Ticket& t) {
  return fmt::format("({}, {}, {}, {}, {})", t.ticket_id, t.event_id, sql.literal(t.seat_level),
                     sql.literal(t.seat_location), t.ticket_price);
}

std::string values(const DemoSql& sql, const Customer& c) {
  return fmt::format("({}, {}, {}, {})", c.customer_id, sql.literal(c.name), sql.literal(c.email),
                     sql.literal(c.phone));
}

// Inserts `count` rows made by `next` in multi-row statements, in one transaction.
template <typename Next>
void fill(DemoDatabase& db, std::string_view table, std::string_view columns, int64_t count,
          Next next) {
  const DemoSql& sql = db.sql();
  db.exec(sql.begin());
  std::string statement;
  for (int64_t done = 0; done < count;) {
    statement = sql.insert_into(table, columns);
    int64_t end = std::min(count, done + kRowsPerStatement);
    for (int64_t i = done; i < end; ++i) {
      if (i > done) statement += ',';
      statement += values(sql, next());
    }
    db.exec(statement);
    done = end;
  }
  db.exec("COMMIT");
}

void check_sizes(const InitOptions& o) {
  // Keys are int columns, as in the scenario.
  constexpr int64_t kMaxRows = 2147483647;
  if (o.events < 1 || o.tickets < 0 || o.customers < 1 || o.events > kMaxRows ||
      o.tickets > kMaxRows || o.customers > kMaxRows)
    throw ConfigError(
        "demo init: --events and --customers must be at least 1, --tickets at "
        "least 0, all at most 2147483647");
}

}  // namespace

int init_tables(const InitOptions& options) {
  check_sizes(options);
  auto start = std::chrono::steady_clock::now();
  DemoDatabase db(options.url);
  db.exec(db.sql().drop_tables());
  for (const std::string& create : db.sql().create_tables()) db.exec(create);

  DimensionRows rows(options.seed, options.events);
  fill(db, "sport_event", "event_id, sport_type, start_date, location", options.events,
       [&] { return rows.next_event(); });
  fill(db, "ticket", "ticket_id, event_id, seat_level, seat_location, ticket_price",
       options.tickets, [&] { return rows.next_ticket(); });
  fill(db, "customer", "customer_id, name, email, phone", options.customers,
       [&] { return rows.next_customer(); });

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(
      "demo init: created sport_event, ticket, customer, ticket_activity; {} events, {} tickets, "
      "{} customers (seed {}) in {:.1f} s\n",
      options.events, options.tickets, options.customers, options.seed, seconds);
  std::fflush(stdout);
  return 0;
}

}  // namespace sluice::demo
