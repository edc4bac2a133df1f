#include "source/mysql/gtid_set.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.hpp"

namespace sluice::mysql {
namespace {

constexpr const char* kUuidA = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
constexpr const char* kUuidB = "b9a1c2d3-0000-11e1-9e33-c80aa9429562";  // starts with a letter

// A MySQL Gtid_log_event body as MySQL 8 writes it: flags, sid, gno, then the logical
// clock (type, last_committed, sequence_number) and more that the parser must ignore.
std::vector<uint8_t> mysql_gtid_event(const std::vector<uint8_t>& sid, uint64_t gno) {
  std::vector<uint8_t> body = {0x01};
  body.insert(body.end(), sid.begin(), sid.end());
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<uint8_t>(gno >> (8 * i)));
  body.push_back(0x02);                     // logical timestamp type
  body.insert(body.end(), 16, uint8_t{7});  // last_committed, sequence_number
  body.insert(body.end(), {0x00, 0x00, 0x00});
  return body;
}

TEST(MySqlGtidSet, ParsesAndPrintsUuidsStartingWithLettersAndSeveralIntervals) {
  std::string text = std::string(kUuidB) + ":1-57:60:62-70," + kUuidA + ":1-9";
  MySqlGtidSet set = MySqlGtidSet::parse(text);
  EXPECT_EQ(set.to_string(), std::string(kUuidA) + ":1-9," + kUuidB + ":1-57:60:62-70");
  EXPECT_EQ(MySqlGtidSet::parse("").to_string(), "");
}

TEST(MySqlGtidSet, AcceptsTheServersSpellings) {
  // SHOW MASTER STATUS breaks lines after commas; UUIDs may come in upper case.
  std::string text = std::string("B9A1C2D3-0000-11E1-9E33-C80AA9429562:5-6,\n") + kUuidA +
                     ":1-3,\n" + kUuidA + ":4:tag_1:1-2";
  EXPECT_EQ(MySqlGtidSet::parse(text).to_string(),
            std::string(kUuidA) + ":1-4," + kUuidA + ":tag_1:1-2," + kUuidB + ":5-6");
}

TEST(MySqlGtidSet, RejectsMalformedText) {
  std::string uuid = kUuidA;
  for (const std::string& bad : std::vector<std::string>{"0-1-57", "not-a-uuid:1-5", uuid,
                                                         uuid + ":0", uuid + ":9-3", uuid + ":1-x"})
    EXPECT_THROW(MySqlGtidSet::parse(bad), ConfigError) << bad;
}

TEST(MySqlGtidSet, AddingTransactionsMergesIntervals) {
  MySqlGtidSet set = MySqlGtidSet::parse(std::string(kUuidA) + ":1-3:7-9");
  set.add(kUuidA, 5);
  EXPECT_EQ(set.to_string(), std::string(kUuidA) + ":1-3:5:7-9");
  set.add(kUuidA, 4);
  EXPECT_EQ(set.to_string(), std::string(kUuidA) + ":1-5:7-9");
  set.add(kUuidA, 6);
  EXPECT_EQ(set.to_string(), std::string(kUuidA) + ":1-9");
  set.add(kUuidA, 3);
  EXPECT_EQ(set.to_string(), std::string(kUuidA) + ":1-9");
  set.add(kUuidB, 1);
  set.add(kUuidA, 10);
  EXPECT_EQ(set.to_string(), std::string(kUuidA) + ":1-10," + kUuidB + ":1");
}

TEST(MySqlGtidSet, ContainsEveryIntervalOfTheOther) {
  MySqlGtidSet set = MySqlGtidSet::parse(std::string(kUuidA) + ":1-10:20-30," + kUuidB + ":1-5");
  EXPECT_TRUE(set.contains(MySqlGtidSet::parse(std::string(kUuidA) + ":2-9:25")));
  EXPECT_TRUE(set.contains(MySqlGtidSet::parse("")));
  EXPECT_FALSE(set.contains(MySqlGtidSet::parse(std::string(kUuidA) + ":9-21")));
  EXPECT_FALSE(set.contains(MySqlGtidSet::parse(std::string(kUuidB) + ":6")));
  EXPECT_FALSE(MySqlGtidSet::parse("").contains(set));
}

TEST(MySqlGtidSet, GtidEventsUpdateTheSet) {
  std::vector<uint8_t> sid = {0xb9, 0xa1, 0xc2, 0xd3, 0x00, 0x00, 0x11, 0xe1,
                              0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};
  MySqlGtid gtid = parse_mysql_gtid_event(mysql_gtid_event(sid, 58));
  EXPECT_EQ(gtid.uuid, kUuidB);
  EXPECT_EQ(gtid.gno, 58u);
  GtidSet set(BinlogFlavor::kMySql, std::string(kUuidB) + ":1-57");
  set.mysql().add(gtid.uuid, gtid.gno);
  EXPECT_EQ(set.to_string(), std::string(kUuidB) + ":1-58");
  EXPECT_THROW(parse_mysql_gtid_event(std::vector<uint8_t>(10, 0)), FatalError);
}

TEST(MariaDbGtidSet, KeepsTheLastGtidOfEachDomain) {
  MariaDbGtidSet set = MariaDbGtidSet::parse("1-2-9, 0-1-57");
  EXPECT_EQ(set.to_string(), "0-1-57,1-2-9");
  set.add(0, 3, 58);
  set.add(5, 1, 1);
  EXPECT_EQ(set.to_string(), "0-3-58,1-2-9,5-1-1");
  EXPECT_TRUE(set.contains(MariaDbGtidSet::parse("0-1-57,1-2-9")));
  EXPECT_FALSE(set.contains(MariaDbGtidSet::parse("0-1-59")));
  EXPECT_FALSE(set.contains(MariaDbGtidSet::parse("2-1-1")));
  EXPECT_THROW(MariaDbGtidSet::parse(std::string(kUuidA) + ":1-5"), ConfigError);
  EXPECT_THROW(MariaDbGtidSet::parse("0-1"), ConfigError);
}

TEST(GtidSet, KeepsEachFlavoursFormat) {
  EXPECT_EQ(GtidSet(BinlogFlavor::kMariaDb, "0-1-57").to_string(), "0-1-57");
  EXPECT_EQ(GtidSet(BinlogFlavor::kMySql, std::string(kUuidB) + ":1-57").to_string(),
            std::string(kUuidB) + ":1-57");
  EXPECT_FALSE(GtidSet(BinlogFlavor::kMySql, "").contains(GtidSet(BinlogFlavor::kMariaDb, "")));
}

}  // namespace
}  // namespace sluice::mysql
