#pragma once
// Every SQL text the demo generators send, for both source dialects. The differences
// between PostgreSQL and MySQL/MariaDB live here and nowhere else.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::demo {

enum class Dialect : uint8_t { kPostgres, kMysql };

class DemoSql {
 public:
  explicit DemoSql(Dialect dialect) : dialect_(dialect) {}
  Dialect dialect() const { return dialect_; }

  // Drops the four scenario tables if present.
  std::string drop_tables() const;
  // CREATE TABLE for sport_event, ticket, customer, ticket_activity.
  std::vector<std::string> create_tables() const;

  // A string literal, for data the generators made (quotes and backslashes escaped).
  std::string literal(std::string_view value) const;

  // The statement header that multi-row VALUES lists are appended to.
  std::string insert_into(std::string_view table, std::string_view columns) const;
  // Inserts purchases "(ticket_id, purchased_by)", skipping tickets sold meanwhile.
  std::string insert_purchases(const std::vector<std::pair<int64_t, int64_t>>& purchases) const;

  std::string unsold_ticket_ids() const;
  std::string customer_ids() const;
  // Locks the activity row of `ticket_id`: purchased_by, updated_at.
  std::string lock_activity(int64_t ticket_id) const;
  // One random customer id other than `except` (any when `except` is negative).
  std::string random_other_customer(int64_t except) const;
  std::string reassign(int64_t ticket_id, int64_t customer_id) const;
  std::string activity_updated_at(int64_t ticket_id) const;

  std::string begin() const;

 private:
  std::string_view now() const;
  Dialect dialect_;
};

}  // namespace sluice::demo
