#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "demo/dimension_rows.hpp"

namespace sluice::demo {
namespace {

std::string describe(DimensionRows& rows) {
  SportEvent e = rows.next_event();
  Ticket t = rows.next_ticket();
  Customer c = rows.next_customer();
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", e.event_id, e.sport_type, e.start_date,
                     e.location, t.ticket_id, t.event_id, t.seat_level, t.seat_location,
                     t.ticket_price, c.name, c.email, c.phone);
}

TEST(DemoDimensionRows, DeterministicPerSeed) {
  DimensionRows a(9, 50), b(9, 50), other(10, 50);
  std::vector<std::string> from_a, from_b, from_other;
  for (int i = 0; i < 100; ++i) {
    from_a.push_back(describe(a));
    from_b.push_back(describe(b));
    from_other.push_back(describe(other));
  }
  EXPECT_EQ(from_a, from_b);
  EXPECT_NE(from_a, from_other);
}

// Each table has its own stream: asking for more tickets does not change the customers.
TEST(DemoDimensionRows, TablesDoNotShareARandomStream) {
  DimensionRows few(4, 10), many(4, 10);
  for (int i = 0; i < 1000; ++i) many.next_ticket();
  for (int i = 0; i < 20; ++i) {
    Customer a = few.next_customer();
    Customer b = many.next_customer();
    EXPECT_EQ(a.customer_id, b.customer_id);
    EXPECT_EQ(a.email, b.email);
    EXPECT_EQ(a.phone, b.phone);
  }
}

TEST(DemoDimensionRows, TicketsReferToEventsWithUniqueSeatsAndSanePrices) {
  DimensionRows rows(1, 5);
  std::set<std::pair<int64_t, std::string>> seats;
  for (int64_t i = 1; i <= 2000; ++i) {
    Ticket t = rows.next_ticket();
    EXPECT_EQ(t.ticket_id, i);
    ASSERT_GE(t.event_id, 1);
    ASSERT_LE(t.event_id, 5);
    EXPECT_TRUE(seats.emplace(t.event_id, t.seat_location).second) << t.seat_location;
    if (t.seat_level == "Standard") {
      EXPECT_TRUE(t.seat_location.starts_with("S-"));
      EXPECT_GE(t.ticket_price, 50);
      EXPECT_LE(t.ticket_price, 150);
    } else {
      ASSERT_EQ(t.seat_level, "Premium");
      EXPECT_TRUE(t.seat_location.starts_with("P-"));
      EXPECT_GE(t.ticket_price, 200);
    }
  }
}

TEST(DemoDimensionRows, IdsCountFromOne) {
  DimensionRows rows(1, 3);
  EXPECT_EQ(rows.next_event().event_id, 1);
  EXPECT_EQ(rows.next_event().event_id, 2);
  EXPECT_EQ(rows.next_customer().customer_id, 1);
}

}  // namespace
}  // namespace sluice::demo
