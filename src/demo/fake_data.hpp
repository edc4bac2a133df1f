#pragma once
// Realistic fake values for the reference scenario (names, e-mails, phone numbers, sports,
// cities, dates, seats, prices), in the shapes the Python Faker library produces, so the
// masking and tokenizing in flows see what the scenario's scripts would have written.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::demo {

// SplitMix64: a fixed, fully specified generator, so a seed yields the same data with any
// compiler and standard library (std::uniform_int_distribution is implementation-defined).
class DemoRandom {
 public:
  explicit DemoRandom(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [low, high].
  int64_t between(int64_t low, int64_t high);
  // True with probability `percent` / 100.
  bool chance(int percent) { return between(1, 100) <= percent; }
  std::string_view pick(std::span<const std::string_view> items);

 private:
  uint64_t state_;
};

// "Teresa Stein"
std::string person_name(DemoRandom& random);
// An address derived from the name, e.g. "teresa.stein@example.com" or "tstein@example.org".
std::string email_for(std::string_view name, DemoRandom& random);
// One of "+1-296-605-8486", "087-237-9316x2670", "(555)123-4567", "001-786-503-2802x2357".
std::string phone_number(DemoRandom& random);
std::string_view sport_type(DemoRandom& random);
// "Seattle, US"
std::string city_location(DemoRandom& random);
// An ISO date ("2021-09-01") in 2021 or 2022.
std::string event_date(DemoRandom& random);

}  // namespace sluice::demo
