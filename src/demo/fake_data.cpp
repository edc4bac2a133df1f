#include "demo/fake_data.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <chrono>

namespace sluice::demo {
namespace {

constexpr std::array<std::string_view, 60> kFirstNames = {
    "Teresa",      "James",   "Mary",     "Robert",    "Patricia", "John",    "Jennifer",
    "Michael",     "Linda",   "David",    "Elizabeth", "William",  "Barbara", "Richard",
    "Susan",       "Joseph",  "Jessica",  "Thomas",    "Sarah",    "Charles", "Karen",
    "Christopher", "Lisa",    "Daniel",   "Nancy",     "Matthew",  "Betty",   "Anthony",
    "Sandra",      "Mark",    "Ashley",   "Donald",    "Kimberly", "Steven",  "Emily",
    "Paul",        "Donna",   "Andrew",   "Michelle",  "Joshua",   "Carol",   "Kenneth",
    "Amanda",      "Kevin",   "Melissa",  "Brian",     "Deborah",  "George",  "Stephanie",
    "Timothy",     "Rebecca", "Ronald",   "Laura",     "Jason",    "Sharon",  "Edward",
    "Cynthia",     "Jeffrey", "Kathleen", "Ryan"};

constexpr std::array<std::string_view, 60> kLastNames = {
    "Stein",   "Smith",    "Johnson",   "Williams", "Brown",     "Jones",    "Garcia",
    "Miller",  "Davis",    "Rodriguez", "Martinez", "Hernandez", "Lopez",    "Gonzalez",
    "Wilson",  "Anderson", "Thomas",    "Taylor",   "Moore",     "Jackson",  "Martin",
    "Lee",     "Perez",    "Thompson",  "White",    "Harris",    "Sanchez",  "Clark",
    "Ramirez", "Lewis",    "Robinson",  "Walker",   "Young",     "Allen",    "King",
    "Wright",  "Scott",    "Torres",    "Nguyen",   "Hill",      "Flores",   "Green",
    "Adams",   "Nelson",   "Baker",     "Hall",     "Rivera",    "Campbell", "Mitchell",
    "Carter",  "Roberts",  "Gomez",     "Phillips", "Evans",     "Turner",   "Diaz",
    "Parker",  "Cruz",     "Edwards",   "Collins"};

constexpr std::array<std::string_view, 3> kDomains = {"example.com", "example.org", "example.net"};

constexpr std::array<std::string_view, 10> kSports = {
    "Baseball", "Football", "Basketball", "Soccer",  "Hockey",
    "Tennis",   "Golf",     "Volleyball", "Cricket", "Rugby"};

constexpr std::array<std::string_view, 24> kCities = {
    "Seattle",   "New York",    "Los Angeles", "Chicago",   "Houston",       "Phoenix",
    "Boston",    "Denver",      "Atlanta",     "Miami",     "Dallas",        "San Diego",
    "Portland",  "Minneapolis", "Detroit",     "Baltimore", "San Francisco", "Kansas City",
    "St. Louis", "Cleveland",   "Pittsburgh",  "Nashville", "Milwaukee",     "Tampa"};

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `count` random decimal digits; a leading zero is allowed, as in "087-237-9316".
std::string digits(DemoRandom& random, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += static_cast<char>('0' + random.between(0, 9));
  return out;
}

// A North American area code or exchange: never starting with 0 or 1.
std::string nanp_triple(DemoRandom& random) {
  return fmt::format("{}", random.between(200, 999));
}

}  // namespace

uint64_t DemoRandom::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t DemoRandom::between(int64_t low, int64_t high) {
  auto range = static_cast<unsigned __int128>(high - low) + 1;
  return low + static_cast<int64_t>((static_cast<unsigned __int128>(next()) * range) >> 64);
}

std::string_view DemoRandom::pick(std::span<const std::string_view> items) {
  return items[static_cast<size_t>(between(0, static_cast<int64_t>(items.size()) - 1))];
}

std::string person_name(DemoRandom& random) {
  std::string_view first = random.pick(kFirstNames);
  return fmt::format("{} {}", first, random.pick(kLastNames));
}

std::string email_for(std::string_view name, DemoRandom& random) {
  size_t space = name.find(' ');
  std::string first = lower(name.substr(0, space));
  std::string last = space == std::string_view::npos ? "" : lower(name.substr(space + 1));
  std::string_view domain = random.pick(kDomains);
  switch (random.between(0, 3)) {
    case 0:
      return fmt::format("{}@{}", first, domain);
    case 1:
      return fmt::format("{}.{}@{}", first, last, domain);
    case 2:
      return fmt::format("{}{}@{}", first.substr(0, 1), last, domain);
    default:
      return fmt::format("{}{}{}@{}", first, last, random.between(1, 99), domain);
  }
}

std::string phone_number(DemoRandom& random) {
  switch (random.between(0, 3)) {
    case 0:
      return fmt::format("+1-{}-{}-{}", nanp_triple(random), nanp_triple(random),
                         digits(random, 4));
    case 1:
      return fmt::format("{}-{}-{}x{}", digits(random, 3), digits(random, 3), digits(random, 4),
                         digits(random, 4));
    case 2:
      return fmt::format("({}){}-{}", nanp_triple(random), nanp_triple(random), digits(random, 4));
    default:
      return fmt::format("001-{}-{}-{}x{}", nanp_triple(random), nanp_triple(random),
                         digits(random, 4), digits(random, 4));
  }
}

std::string_view sport_type(DemoRandom& random) {
  return random.pick(kSports);
}

std::string city_location(DemoRandom& random) {
  return fmt::format("{}, US", random.pick(kCities));
}

std::string event_date(DemoRandom& random) {
  using namespace std::chrono;
  sys_days day = sys_days(year{2021} / January / 1) + days(random.between(0, 729));
  year_month_day ymd(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace sluice::demo
