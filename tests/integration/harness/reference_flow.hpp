#pragma once
// The reference scenario's flow (the README's reference scenario) as tests write it into pipeline
// files.

#include <string>

namespace sluice::test {

inline constexpr const char* kReferenceFlowSql = R"(      SELECT a.ticket_id,
             t.event_id,
             e.sport_type,
             e.start_date,
             e.location,
             t.seat_level,
             t.seat_location,
             t.ticket_price,
             a.purchased_by,
             c.name,
             sha256(c.email)      AS email_address,
             mask_digits(c.phone) AS phone_number,
             a.created_at,
             a.updated_at
      FROM ticket_activity a
      LEFT JOIN ticket t      ON t.ticket_id = a.ticket_id
      LEFT JOIN sport_event e ON e.event_id = t.event_id
      LEFT JOIN customer c    ON c.customer_id = a.purchased_by
)";

// The same query in PostgreSQL's own functions, as a subquery: the oracle that a
// PostgreSQL-sourced destination table must equal.
inline constexpr const char* kReferenceFlowPostgresOracle =
    "(SELECT a.ticket_id, t.event_id, e.sport_type, e.start_date, e.location, t.seat_level, "
    "t.seat_location, t.ticket_price, a.purchased_by, c.name, "
    "encode(sha256(convert_to(c.email, 'UTF8')), 'hex') AS email_address, "
    "regexp_replace(c.phone, '[0-9]', '*', 'g') AS phone_number, a.created_at, a.updated_at "
    "FROM ticket_activity a LEFT JOIN ticket t ON t.ticket_id = a.ticket_id "
    "LEFT JOIN sport_event e ON e.event_id = t.event_id "
    "LEFT JOIN customer c ON c.customer_id = a.purchased_by)";

// A pipeline file body for the reference flow from `source_type` at `source_url`.
inline std::string reference_flow_pipeline(const std::string& name, const std::string& source_type,
                                           const std::string& source_url,
                                           const std::string& sink_url,
                                           const std::string& operations) {
  return "name: " + name + "\nsource:\n  type: " + source_type + "\n  url: " + source_url +
         "\nsink:\n  type: postgres\n  url: " + sink_url +
         "\nbatch: { max_rows: 500, max_delay: 100ms }\nflows:\n"
         "  sport_event_activity:\n    key: [ticket_id]\n    operations: " +
         operations + "\n    sql: |\n" + kReferenceFlowSql;
}

}  // namespace sluice::test
