#pragma once
// The rows `sluice demo init` writes into the three dimension tables. Each table draws from
// its own random stream derived from the seed, so changing --customers does not change the
// events or tickets of the same seed.

#include <cstdint>
#include <string>
#include <vector>

#include "demo/fake_data.hpp"

namespace sluice::demo {

struct SportEvent {
  int64_t event_id = 0;
  std::string sport_type;
  std::string start_date;
  std::string location;
};

struct Ticket {
  int64_t ticket_id = 0;
  int64_t event_id = 0;
  std::string seat_level;     // Standard or Premium
  std::string seat_location;  // "S-1": the level's initial and the seat's number in the event
  int64_t ticket_price = 0;
};

struct Customer {
  int64_t customer_id = 0;
  std::string name;
  std::string email;
  std::string phone;
};

// Yields rows with ids 1, 2, 3, ... per table.
class DimensionRows {
 public:
  DimensionRows(uint64_t seed, int64_t events);

  SportEvent next_event();
  // Tickets refer to events 1..events.
  Ticket next_ticket();
  Customer next_customer();

 private:
  int64_t events_;
  DemoRandom event_random_;
  DemoRandom ticket_random_;
  DemoRandom customer_random_;
  int64_t next_event_id_ = 1;
  int64_t next_ticket_id_ = 1;
  int64_t next_customer_id_ = 1;
  // Seats handed out so far per event and level, so seat locations are unique per event.
  std::vector<int64_t> standard_seats_;
  std::vector<int64_t> premium_seats_;
};

}  // namespace sluice::demo
