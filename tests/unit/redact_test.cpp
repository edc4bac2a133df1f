// Secrets in connection strings: every form libpq and Connector/C accept is masked, and
// the forms an error message may quote are known, so they can be scrubbed.

#include "core/redact.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "pgclient/pg_url.hpp"

namespace sluice {
namespace {

bool holds(const std::vector<std::string>& secrets, const std::string& secret) {
  return std::find(secrets.begin(), secrets.end(), secret) != secrets.end();
}

TEST(RedactUrl, MasksTheUserinfoPassword) {
  EXPECT_EQ(redact_url("postgresql://repl:pw@h:1/db"), "postgresql://repl:****@h:1/db");
  EXPECT_EQ(redact_url("mysql://root:Pa55@127.0.0.1:3306/shop"),
            "mysql://root:****@127.0.0.1:3306/shop");
  EXPECT_EQ(redact_url("mysql://u@h/db"), "mysql://u@h/db");
  EXPECT_EQ(redact_url("postgresql://h/db"), "postgresql://h/db");
  EXPECT_EQ(redact_url("postgresql://h:5432/db"), "postgresql://h:5432/db");
}

TEST(RedactUrl, APasswordMayHoldAtSignsColonsAndPercents) {
  EXPECT_EQ(redact_url("postgresql://user:pa@ss%40word@host/db"), "postgresql://user:****@host/db");
  EXPECT_EQ(redact_url("mysql://user:Plugh@Xyzzy%41:x@host:3306/db?ssl-mode=REQUIRED"),
            "mysql://user:****@host:3306/db?ssl-mode=REQUIRED");
  EXPECT_EQ(redact_url("postgresql://user:pa%zzword@host/db"), "postgresql://user:****@host/db");
  EXPECT_EQ(redact_url("postgresql://u:a/b@host/db"), "postgresql://u:****@host/db");
}

TEST(RedactUrl, MasksPasswordQueryParameters) {
  EXPECT_EQ(redact_url("postgresql://u@h/db?password=Xyzzy&sslmode=require"),
            "postgresql://u@h/db?password=****&sslmode=require");
  EXPECT_EQ(redact_url("postgresql://u@h/db?sslmode=require&password=Xy@zzy"),
            "postgresql://u@h/db?sslmode=require&password=****");
  EXPECT_EQ(redact_url("postgresql://u@h/db?sslpassword=Xyzzy&sslkey=/k.pem"),
            "postgresql://u@h/db?sslpassword=****&sslkey=/k.pem");
  EXPECT_EQ(redact_url("postgresql://u:one@h/db?PASSWORD=two"),
            "postgresql://u:****@h/db?PASSWORD=****");
  EXPECT_EQ(redact_url("mysql://u@h/db?ssl-mode=REQUIRED&password=Xyzzy"),
            "mysql://u@h/db?ssl-mode=REQUIRED&password=****");
  EXPECT_EQ(redact_url("mysql://u@h/db?ssl_password=Xyzzy"), "mysql://u@h/db?ssl_password=****");
}

TEST(RedactUrl, MasksKeywordValuePasswords) {
  EXPECT_EQ(redact_url("host=h password=secret dbname=x"), "host=h password=**** dbname=x");
  EXPECT_EQ(redact_url("host=h password = 'se cret' dbname=x"), "host=h password = **** dbname=x");
  EXPECT_EQ(redact_url("password='it\\'s a \\\\secret' host=h"), "password=**** host=h");
  EXPECT_EQ(redact_url("host=h sslpassword=k3y password=pw"),
            "host=h sslpassword=**** password=****");
  EXPECT_EQ(redact_url("host=h user=u dbname=x"), "host=h user=u dbname=x");
}

TEST(RedactUrl, MasksTheRestOfAKeywordValueStringThatDoesNotParse) {
  // An unquoted space: libpq would complain about "cret" (missing "=").
  EXPECT_EQ(redact_url("host=h password=se cret dbname=x"), "host=h password=****");
  EXPECT_EQ(redact_url("host=h password='unterminated dbname=x"), "host=h password=****");
  EXPECT_EQ(redact_url("host=h dbname"), "host=h ****");
}

TEST(RedactUrl, MasksAUrlWithoutItsScheme) {
  EXPECT_EQ(redact_url("user:pw@host/db"), "user:****@host/db");
  EXPECT_EQ(redact_url("localhost:5432"), "localhost:5432");
}

TEST(UrlSecrets, HoldEveryFormAMessageMayQuote) {
  std::vector<std::string> secrets = url_secrets("postgresql://u:Plugh@Xyzzy%41@h/db");
  EXPECT_TRUE(holds(secrets, "Plugh@Xyzzy%41"));
  EXPECT_TRUE(holds(secrets, "Plugh@XyzzyA"));
  EXPECT_TRUE(holds(secrets, "Plugh%40XyzzyA"));

  secrets = url_secrets("host=h password='se cret\\'s'");
  EXPECT_TRUE(holds(secrets, "'se cret\\'s'"));
  EXPECT_TRUE(holds(secrets, "se cret's"));

  secrets = url_secrets("postgresql://u@h/db?password=pa%zz");
  EXPECT_TRUE(holds(secrets, "pa%zz"));
  EXPECT_TRUE(url_secrets("postgresql://u@h/db").empty());
}

TEST(ScrubSecrets, ReplacesEveryOccurrenceLongestFirst) {
  EXPECT_EQ(scrub_secrets("invalid percent-encoded token: \"pa%zzXyzzy\" and pa%zzXyzzy again",
                          url_secrets("postgresql://u@h/db?password=pa%zzXyzzy")),
            "invalid percent-encoded token: \"****\" and **** again");
  EXPECT_EQ(scrub_secrets("could not translate host name \"Plugh@XyzzyA\"",
                          url_secrets("postgresql://u:Plugh@Xyzzy%41@h/db")),
            "could not translate host name \"****\"");
  EXPECT_EQ(scrub_secrets("a b", {"a"}), "a b");
}

TEST(LibpqUrl, EncodesWhatLibpqWouldMisreadInTheUserPart) {
  EXPECT_EQ(libpq_url("postgresql://user:pa@ss%40word@host/db"),
            "postgresql://user:pa%40ss%40word@host/db");
  EXPECT_EQ(libpq_url("postgres://u:a/b%zz@host:5432/db?sslmode=require"),
            "postgres://u:a%2Fb%25zz@host:5432/db?sslmode=require");
  EXPECT_EQ(libpq_url("postgresql://u:p%40w@host/db?options=a@b"),
            "postgresql://u:p%40w@host/db?options=a@b");
  EXPECT_EQ(libpq_url("postgresql://host/db"), "postgresql://host/db");
  EXPECT_EQ(libpq_url("host=h password=a@b"), "host=h password=a@b");
}

}  // namespace
}  // namespace sluice
