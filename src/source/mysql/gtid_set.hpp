#pragma once
// GTID sets in each server flavour's own text form, which is what the checkpoint stores
// and what the server takes back when a replica resumes by GTID.
//
// MariaDB: the last GTID of each replication domain, "domain-server-sequence" joined by
// commas ("0-1-57,1-2-9"); sequence numbers grow within a domain, so the last one stands
// for everything before it.
// MySQL: the executed transactions of each originating server, "uuid:intervals" joined by
// commas ("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57:60,b9...:1-9"); transaction numbers
// (gno) can have gaps, so the set keeps intervals.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "source/mysql/binlog_table_map.hpp"

namespace sluice::mysql {

class MariaDbGtidSet {
 public:
  // Throws ConfigError on malformed text; "" is the empty set.
  static MariaDbGtidSet parse(std::string_view text);

  // A transaction of `domain` committed: it is now the domain's last.
  void add(uint32_t domain, uint32_t server_id, uint64_t sequence);
  // True when every domain of `other` is here, at or past other's sequence number.
  bool contains(const MariaDbGtidSet& other) const;
  std::string to_string() const;

 private:
  struct Last {
    uint32_t server_id = 0;
    uint64_t sequence = 0;
  };
  std::map<uint32_t, Last> by_domain_;
};

class MySqlGtidSet {
 public:
  // Throws ConfigError on malformed text; "" is the empty set. Accepts the server's own
  // spellings: upper-case UUIDs, newlines after commas, a UUID repeated, MySQL 8.4 tags
  // ("uuid:1-5:tag:1-3").
  static MySqlGtidSet parse(std::string_view text);

  // Adds transaction `gno` of server `uuid` (lower-case text form), merging intervals.
  void add(const std::string& uuid, uint64_t gno);
  bool contains(const MySqlGtidSet& other) const;
  // Canonical form: lower-case, sorted by UUID, intervals merged, no spaces.
  std::string to_string() const;

 private:
  struct Interval {
    uint64_t first = 0;
    uint64_t last = 0;  // inclusive, as MySQL prints them
  };
  void add(const std::string& source, Interval interval);

  // By "uuid" or "uuid:tag"; intervals sorted, disjoint and not adjacent.
  std::map<std::string, std::vector<Interval>> intervals_;
};

// The GTID of a MySQL GTID event (type 33).
struct MySqlGtid {
  std::string uuid;  // lower-case text form
  uint64_t gno = 0;
};

// MySQL's Gtid_log_event body: flags u8, server UUID (sid) 16 bytes, gno i64 LE, then
// logical-clock fields sluice does not need. Throws FatalError when truncated.
MySqlGtid parse_mysql_gtid_event(std::span<const uint8_t> body);

// A GTID set of either flavour.
class GtidSet {
 public:
  GtidSet() = default;
  // Throws ConfigError on malformed text.
  GtidSet(BinlogFlavor flavor, std::string_view text);

  bool is_mariadb() const { return std::holds_alternative<MariaDbGtidSet>(set_); }
  bool empty() const { return to_string().empty(); }
  MariaDbGtidSet& mariadb() { return std::get<MariaDbGtidSet>(set_); }
  MySqlGtidSet& mysql() { return std::get<MySqlGtidSet>(set_); }
  // False for sets of different flavours.
  bool contains(const GtidSet& other) const;
  std::string to_string() const;

 private:
  std::variant<MariaDbGtidSet, MySqlGtidSet> set_;
};

}  // namespace sluice::mysql
