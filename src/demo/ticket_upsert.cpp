// `sluice demo upsert`: an administrator reassigning one ticket to another customer.

#include <fmt/format.h>

#include <cstdio>

#include "core/error.hpp"
#include "demo/demo.hpp"
#include "demo/demo_database.hpp"

namespace sluice::demo {
namespace {

std::string shown(const std::optional<std::string>& value) {
  return value ? *value : "NULL";
}

int64_t to_id(const std::string& text) {
  return std::stoll(text);
}

}  // namespace

int reassign_ticket(const std::string& url, int64_t ticket_id) {
  DemoDatabase db(url);
  const DemoSql& sql = db.sql();
  // Read, choose and write in one transaction, holding the row lock, so the old values
  // printed are the ones replaced.
  db.exec(sql.begin());
  std::vector<DemoRow> current = db.rows(sql.lock_activity(ticket_id));
  if (current.empty()) {
    db.exec("ROLLBACK");
    throw ConfigError(fmt::format(
        "demo upsert: ticket {} has no activity (not sold yet); sell tickets with `sluice demo "
        "ingest` and pick a ticket_id from ticket_activity",
        ticket_id));
  }
  const std::optional<std::string>& old_buyer = current[0][0];
  std::vector<DemoRow> other =
      db.rows(sql.random_other_customer(old_buyer ? to_id(*old_buyer) : -1));
  if (other.empty() || !other[0][0]) {
    db.exec("ROLLBACK");
    throw FatalError("demo upsert: no other customer to reassign the ticket to");
  }
  int64_t new_buyer = to_id(*other[0][0]);
  db.exec(sql.reassign(ticket_id, new_buyer));
  std::vector<DemoRow> updated = db.rows(sql.activity_updated_at(ticket_id));
  db.exec("COMMIT");
  fmt::print("ticket {}: purchased_by {} -> {}, updated_at {} -> {}\n", ticket_id, shown(old_buyer),
             new_buyer, shown(current[0][1]), shown(updated.at(0)[0]));
  std::fflush(stdout);
  return 0;
}

}  // namespace sluice::demo
