#include <gtest/gtest.h>

#include "core/error.hpp"
#include "mysqlclient/mysql_connection.hpp"

namespace sluice {
namespace {

TEST(MySqlUrl, ParsesEveryPart) {
  MySqlUrl url = parse_mysql_url(
      "mysql://repl:p%40ss:w@db.example:3307/sports?ssl-mode=VERIFY_CA&ssl_ca=/etc/ca.pem");
  EXPECT_EQ(url.user, "repl");
  EXPECT_EQ(url.password, "p@ss:w");
  EXPECT_EQ(url.host, "db.example");
  EXPECT_EQ(url.port, 3307u);
  EXPECT_EQ(url.database, "sports");
  ASSERT_EQ(url.options.size(), 2u);
  EXPECT_EQ(url.options[0], (std::pair<std::string, std::string>{"ssl-mode", "VERIFY_CA"}));
  EXPECT_EQ(url.options[1], (std::pair<std::string, std::string>{"ssl-ca", "/etc/ca.pem"}));
}

TEST(MySqlUrl, DefaultsPortAndAcceptsIpv6) {
  MySqlUrl url = parse_mysql_url("mysql://root@[::1]/");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 3306u);
  EXPECT_EQ(url.user, "root");
  EXPECT_TRUE(url.password.empty());
}

TEST(MySqlUrl, ErrorsNeverShowThePassword) {
  for (const char* bad : {"mysql://u:secret99@h:99999/db", "mysql://u:secret99@h/db?sslmode=x",
                          "postgresql://u:secret99@h/db", "mysql://u:secret99@h/db?ssl-ca=%zz"}) {
    try {
      parse_mysql_url(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).find("secret99"), std::string::npos) << e.what();
    }
  }
}

TEST(MySqlConnection, RefusedConnectionIsAConnectionError) {
  // Port 1 on loopback is closed on any test machine.
  EXPECT_THROW(MySqlConnection("mysql://u:secret99@127.0.0.1:1/db?connect-timeout=2", "test"),
               ConnectionError);
}

}  // namespace
}  // namespace sluice
