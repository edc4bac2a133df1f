#include "demo/dimension_rows.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace sluice::demo {
namespace {

// Distinct streams per table: the seed mixed with a per-table constant.
uint64_t stream_seed(uint64_t seed, uint64_t table) {
  return DemoRandom(seed ^ (table * 0xd1b54a32d192ed03ULL)).next();
}

}  // namespace

DimensionRows::DimensionRows(uint64_t seed, int64_t events)
    : events_(events),
      event_random_(stream_seed(seed, 1)),
      ticket_random_(stream_seed(seed, 2)),
      customer_random_(stream_seed(seed, 3)),
      standard_seats_(static_cast<size_t>(events), 0),
      premium_seats_(static_cast<size_t>(events), 0) {
  if (events < 1) throw std::invalid_argument("the demo needs at least one sport event");
}

SportEvent DimensionRows::next_event() {
  SportEvent e;
  e.event_id = next_event_id_++;
  e.sport_type = sport_type(event_random_);
  e.start_date = event_date(event_random_);
  e.location = city_location(event_random_);
  return e;
}

Ticket DimensionRows::next_ticket() {
  Ticket t;
  t.ticket_id = next_ticket_id_++;
  t.event_id = ticket_random_.between(1, events_);
  auto event = static_cast<size_t>(t.event_id - 1);
  // About one seat in five is Premium, priced well above the Standard range.
  if (ticket_random_.chance(20)) {
    t.seat_level = "Premium";
    t.seat_location = fmt::format("P-{}", ++premium_seats_[event]);
    t.ticket_price = ticket_random_.between(20, 60) * 10;
  } else {
    t.seat_level = "Standard";
    t.seat_location = fmt::format("S-{}", ++standard_seats_[event]);
    t.ticket_price = ticket_random_.between(10, 30) * 5;
  }
  return t;
}

Customer DimensionRows::next_customer() {
  Customer c;
  c.customer_id = next_customer_id_++;
  c.name = person_name(customer_random_);
  c.email = email_for(c.name, customer_random_);
  c.phone = phone_number(customer_random_);
  return c;
}

}  // namespace sluice::demo
