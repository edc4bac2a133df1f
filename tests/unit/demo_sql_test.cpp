#include "demo/demo_sql.hpp"

#include <gtest/gtest.h>

namespace sluice::demo {
namespace {

TEST(DemoSql, LiteralsEscapePerDialect) {
  EXPECT_EQ(DemoSql(Dialect::kPostgres).literal("O'Brien \\x"), "'O''Brien \\x'");
  EXPECT_EQ(DemoSql(Dialect::kMysql).literal("O'Brien \\x"), "'O''Brien \\\\x'");
}

TEST(DemoSql, PurchasesSkipTicketsAlreadySold) {
  std::string pg = DemoSql(Dialect::kPostgres).insert_purchases({{1, 2}, {3, 4}});
  EXPECT_TRUE(pg.ends_with("ON CONFLICT (ticket_id) DO NOTHING")) << pg;
  EXPECT_NE(pg.find("(1, 2, localtimestamp, localtimestamp),(3, 4,"), std::string::npos) << pg;
  std::string my = DemoSql(Dialect::kMysql).insert_purchases({{1, 2}});
  EXPECT_TRUE(my.starts_with("INSERT IGNORE INTO ticket_activity")) << my;
}

}  // namespace
}  // namespace sluice::demo
