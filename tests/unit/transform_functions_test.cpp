#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

using testing::ExpressionHarness;

class TransformFunctions : public ::testing::Test {
 protected:
  std::string eval(std::string_view expr) const { return h_.eval(expr); }
  ExpressionHarness h_;
};

TEST_F(TransformFunctions, Sha256IsLowercaseHex) {
  EXPECT_EQ(eval("sha256('teresa@example.com')"),
            "b5606b17c0908fa82058454e17e9a27bc4abbf9966e1d941246e1d0e731a82f9");
  EXPECT_EQ(eval("sha256(id)"), "7902699be42c8a8e46fbbb4501726517e86b22c56a189f7625a6da49081b2451");
  EXPECT_EQ(eval("sha256(nothing)"), "NULL");
}

TEST_F(TransformFunctions, HmacUsesTheKeyFromTheEnvironment) {
  ::setenv("SLUICE_FN_TEST_KEY", "test-secret-key", 1);
  EXPECT_EQ(eval("hmac_sha256('teresa@example.com', 'SLUICE_FN_TEST_KEY')"),
            "cbd5c58fe0638ffbc4749172f6706928bd6ae662389503e9f73a035c5b622362");
  // Keys longer than a block are hashed first (RFC 2104).
  ::setenv("SLUICE_FN_LONG_KEY", std::string(100, 'k').c_str(), 1);
  EXPECT_EQ(eval("hmac_sha256('x', 'SLUICE_FN_LONG_KEY')"),
            "8c1858bff6cf9cb73708b4b54f43bca6e1b8b4c3380760dc009001b265b64c6f");
  EXPECT_EQ(eval("hmac_sha256(nothing, 'SLUICE_FN_TEST_KEY')"), "NULL");
  EXPECT_THROW(eval("hmac_sha256(name, name)"), ConfigError);
}

TEST_F(TransformFunctions, MaskDigitsKeepsTheShapeOfEveryPhone) {
  EXPECT_EQ(eval("mask_digits('+1-296-605-8486')"), "+*-***-***-****");
  EXPECT_EQ(eval("mask_digits('087-237-9316x2670')"), "***-***-****x****");
  EXPECT_EQ(eval("mask_digits('(555)123-4567')"), "(***)***-****");
  EXPECT_EQ(eval("mask_digits('001-786-503-2802x2357')"), "***-***-***-****x****");
  EXPECT_EQ(eval("mask_digits(big)"), "**********");
  EXPECT_EQ(eval("mask_digits(nothing)"), "NULL");
}

TEST_F(TransformFunctions, MaskKeepsTheLastCharacters) {
  EXPECT_EQ(eval("mask('4111111111111111', keep_last => 4)"), "************1111");
  EXPECT_EQ(eval("mask('4111111111111111', 4)"), "************1111");
  EXPECT_EQ(eval("mask('abc', 4)"), "abc");
  EXPECT_EQ(eval("mask('Jürgen', 2)"), "****en");
  EXPECT_EQ(eval("mask(name)"), "************");
  EXPECT_EQ(eval("mask(nothing, 4)"), "NULL");
  EXPECT_THROW(eval("mask(name, keep_first => 4)"), ConfigError);
  EXPECT_THROW(eval("mask(name, -1)"), ConfigError);
  EXPECT_THROW(eval("mask(name, id)"), ConfigError);
}

TEST_F(TransformFunctions, RedactAndEmailDomain) {
  EXPECT_EQ(eval("redact(name)"), "REDACTED");
  EXPECT_EQ(eval("redact(nothing)"), "NULL");
  EXPECT_EQ(eval("email_domain('Teresa@Example.COM')"), "example.com");
  EXPECT_EQ(eval("email_domain('no-at-sign')"), "NULL");
  EXPECT_EQ(eval("email_domain(nothing)"), "NULL");
}

TEST_F(TransformFunctions, StringFunctions) {
  EXPECT_EQ(eval("lower(name)"), "teresa stein");
  EXPECT_EQ(eval("upper('jürgen')"), "JÜRGEN");
  EXPECT_EQ(eval("lower('ÀÉÎ×')"), "àéî×");
  EXPECT_EQ(eval("trim('  x y  ')"), "x y");
  EXPECT_EQ(eval("trim(LEADING 'x' FROM 'xxaxx')"), "axx");
  EXPECT_EQ(eval("trim(TRAILING FROM '  a  ')"), "  a");
  EXPECT_EQ(eval("btrim('xyaxy', 'xy')"), "a");
  EXPECT_EQ(eval("substring(name FROM 1 FOR 6)"), "Teresa");
  EXPECT_EQ(eval("substring(name, 8)"), "Stein");
  EXPECT_EQ(eval("substring(name FROM 8)"), "Stein");
  EXPECT_EQ(eval("substring('hello', 0, 3)"), "he");
  EXPECT_EQ(eval("substring('hello', -5, 3)"), "");
  EXPECT_EQ(eval("substring('héllo', 2, 2)"), "él");
  EXPECT_EQ(eval("substring(name, 1, id - 8)"), "ERROR: negative substring length not allowed");
  EXPECT_EQ(eval("length('héllo')"), "5");
  EXPECT_EQ(eval("length(nothing)"), "NULL");
  EXPECT_EQ(eval("replace(name, 'e', 'E')"), "TErEsa StEin");
  EXPECT_EQ(eval("replace(name, '', 'E')"), "Teresa Stein");
  EXPECT_EQ(eval("name || ' #' || id"), "Teresa Stein #7");
  EXPECT_EQ(eval("name || nothing"), "NULL");
}

TEST_F(TransformFunctions, NullSemantics) {
  EXPECT_EQ(eval("nothing = nothing"), "NULL");
  EXPECT_EQ(eval("NULL = 1"), "NULL");
  EXPECT_EQ(eval("nothing IS NULL"), "t");
  EXPECT_EQ(eval("name IS NOT NULL"), "t");
  EXPECT_EQ(eval("NULL AND false"), "f");
  EXPECT_EQ(eval("NULL AND true"), "NULL");
  EXPECT_EQ(eval("NULL OR true"), "t");
  EXPECT_EQ(eval("NULL OR false"), "NULL");
  EXPECT_EQ(eval("NOT (nothing = 'a')"), "NULL");
  EXPECT_EQ(eval("id + NULL"), "NULL");
  EXPECT_EQ(eval("COALESCE(nothing, name)"), "Teresa Stein");
  EXPECT_EQ(eval("COALESCE(nothing, NULL)"), "NULL");
  EXPECT_EQ(eval("NULLIF(id, 7)"), "NULL");
  EXPECT_EQ(eval("NULLIF(id, 8)"), "7");
  EXPECT_EQ(eval("NULLIF(nothing, 'x')"), "NULL");
}

TEST_F(TransformFunctions, CaseSearchedAndSimple) {
  EXPECT_EQ(eval("CASE WHEN id > 5 THEN 'big' WHEN id > 1 THEN 'small' ELSE 'tiny' END"), "big");
  EXPECT_EQ(eval("CASE WHEN nothing = 'x' THEN 1 END"), "NULL");
  EXPECT_EQ(eval("CASE WHEN nothing IS NULL THEN 1 ELSE 2.5 END"), "1");
  EXPECT_EQ(eval("CASE id WHEN 6 THEN 'six' WHEN 7 THEN 'seven' ELSE 'other' END"), "seven");
  EXPECT_EQ(eval("CASE nothing WHEN NULL THEN 'null matched' ELSE 'no match' END"), "no match");
  EXPECT_EQ(eval("CASE name WHEN 'x' THEN 1 END"), "NULL");
  EXPECT_THROW(eval("CASE WHEN id > 1 THEN 1 ELSE name END"), ConfigError);
}

TEST_F(TransformFunctions, ComparisonsCoerceLiteralsToTheColumnType) {
  EXPECT_EQ(eval("day = '2021-09-01'"), "t");
  EXPECT_EQ(eval("at < '2021-08-15 10:30:46'"), "t");
  EXPECT_EQ(eval("at_tz = '2021-08-15 08:00:00+00'"), "t");
  EXPECT_EQ(eval("at < at_tz"), "f");
  EXPECT_EQ(eval("day > at"), "t");
  EXPECT_EQ(eval("day = DATE '2021-09-01'"), "t");
  EXPECT_EQ(eval("at < TIMESTAMP '2021-08-15 11:00:00'"), "t");
  EXPECT_THROW(eval("day = DATE '2021-02-30'"), ConfigError);
  EXPECT_THROW(eval("at - interval '1 day'"), ConfigError);
  EXPECT_EQ(eval("amount > 12.4"), "t");
  EXPECT_EQ(eval("amount = 12.5"), "t");
  EXPECT_EQ(eval("big > id"), "t");
  EXPECT_EQ(eval("ratio < 1"), "t");
  EXPECT_EQ(eval("name <> 'Teresa'"), "t");
  EXPECT_EQ(eval("name < 'U'"), "t");
  EXPECT_EQ(eval("flag = true"), "t");
  EXPECT_EQ(eval("token = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"), "t");
  EXPECT_THROW(eval("id = name"), ConfigError);
  EXPECT_THROW(eval("day = 'not a date'"), ConfigError);
}

TEST_F(TransformFunctions, Arithmetic) {
  EXPECT_EQ(eval("7 / 2"), "3");
  EXPECT_EQ(eval("-7 / 2"), "-3");
  EXPECT_EQ(eval("7 % 3"), "1");
  EXPECT_EQ(eval("id / (id - 7)"), "ERROR: division by zero");
  EXPECT_EQ(eval("amount / 0"), "ERROR: division by zero");
  EXPECT_EQ(eval("2147483647 + id"), "ERROR: integer out of range");
  EXPECT_EQ(eval("2147483647 + big"), "11147483647");
  EXPECT_EQ(eval("amount * 2"), "25.00");
  EXPECT_EQ(eval("amount + 0.005"), "12.505");
  EXPECT_EQ(eval("amount - id"), "5.50");
  EXPECT_EQ(eval("1 / 3.0"), "0.33333333333333333333");
  EXPECT_EQ(eval("amount / 3"), "4.1666666666666667");
  EXPECT_EQ(eval("10.5 % 3"), "1.5");
  EXPECT_EQ(eval("ratio * 2"), "0.5");
  EXPECT_EQ(eval("ratio / 0"), "ERROR: division by zero");
  EXPECT_EQ(eval("-amount"), "-12.50");
  EXPECT_EQ(eval("day + 30"), "2021-10-01");
  EXPECT_EQ(eval("day - 1"), "2021-08-31");
  EXPECT_EQ(eval("day - CAST('2021-08-01' AS date)"), "31");
  EXPECT_THROW(eval("at + 1"), ConfigError);
  EXPECT_THROW(eval("ratio % 2"), ConfigError);
}

TEST_F(TransformFunctions, Casts) {
  EXPECT_EQ(eval("CAST('42' AS int)"), "42");
  EXPECT_EQ(eval("CAST(name AS integer)"), "ERROR: invalid input syntax for type integer");
  EXPECT_EQ(eval("CAST(big AS integer)"), "ERROR: integer out of range");
  EXPECT_EQ(eval("CAST(big AS bigint)"), "9000000000");
  EXPECT_EQ(eval("CAST(amount AS int)"), "13");
  EXPECT_EQ(eval("CAST(2.5::double precision AS int)"), "2");
  EXPECT_EQ(eval("CAST('12.345' AS numeric(5,2))"), "12.35");
  EXPECT_EQ(eval("CAST('-12.345' AS numeric(5,2))"), "-12.35");
  EXPECT_EQ(eval("CAST(amount * 100 AS numeric(4,2))"),
            "ERROR: numeric field overflow for numeric(4,2)");
  EXPECT_EQ(eval("CAST('1e3' AS numeric)"), "1000");
  EXPECT_EQ(eval("CAST(ratio AS numeric)"), "0.25");
  EXPECT_EQ(eval("CAST(id AS text) || 'x'"), "7x");
  EXPECT_EQ(eval("CAST(name AS varchar(6))"), "Teresa");
  EXPECT_EQ(eval("CAST(flag AS text)"), "true");
  EXPECT_EQ(eval("flag"), "t");
  EXPECT_EQ(eval("CAST('yes' AS boolean)"), "t");
  EXPECT_EQ(eval("CAST('off' AS boolean)"), "f");
  EXPECT_EQ(eval("CAST(at AS date)"), "2021-08-15");
  EXPECT_EQ(eval("CAST(day AS timestamp)"), "2021-09-01 00:00:00");
  EXPECT_EQ(eval("at::timestamptz"), "2021-08-15 10:30:45.25+00");
  EXPECT_EQ(eval("at_tz"), "2021-08-15 08:00:00+00");
  EXPECT_EQ(eval("CAST('2021-08-15T10:00:00Z' AS timestamptz)"), "2021-08-15 10:00:00+00");
  EXPECT_EQ(eval("CAST(id AS double precision) / 2"), "3.5");
  EXPECT_EQ(eval("CAST(name AS double precision)"),
            "ERROR: invalid input syntax for type double precision");
  EXPECT_THROW(eval("CAST('abc' AS int)"), ConfigError);
  EXPECT_THROW(eval("CAST(day AS int)"), ConfigError);
}

TEST_F(TransformFunctions, DateTruncAndExtract) {
  EXPECT_EQ(eval("date_trunc('month', at)"), "2021-08-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('hour', at)"), "2021-08-15 10:00:00");
  EXPECT_EQ(eval("date_trunc('second', at)"), "2021-08-15 10:30:45");
  EXPECT_EQ(eval("date_trunc('week', at)"), "2021-08-09 00:00:00");
  EXPECT_EQ(eval("date_trunc('quarter', at)"), "2021-07-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('year', day)"), "2021-01-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('century', at)"), "2001-01-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('hour', at_tz)"), "2021-08-15 08:00:00+00");
  EXPECT_EQ(eval("date_trunc('day', nothing::timestamp)"), "NULL");
  EXPECT_EQ(eval("EXTRACT(year FROM at)"), "2021");
  EXPECT_EQ(eval("EXTRACT(month FROM at)"), "8");
  EXPECT_EQ(eval("EXTRACT(second FROM at)"), "45.250000");
  EXPECT_EQ(eval("EXTRACT(epoch FROM at_tz)"), "1629014400.000000");
  EXPECT_EQ(eval("EXTRACT(dow FROM day)"), "3");
  EXPECT_EQ(eval("EXTRACT(isodow FROM at)"), "7");
  EXPECT_EQ(eval("EXTRACT(week FROM at)"), "32");
  EXPECT_EQ(eval("EXTRACT(doy FROM day)"), "244");
  EXPECT_EQ(eval("EXTRACT(quarter FROM day)"), "3");
  EXPECT_EQ(eval("date_part('hour', at)"), "10");
}

TEST_F(TransformFunctions, NowIsTheCommitTime) {
  EXPECT_EQ(eval("now()"), "2021-08-15 10:00:00+00");
  EXPECT_EQ(eval("CURRENT_TIMESTAMP"), "2021-08-15 10:00:00+00");
  EXPECT_EQ(eval("current_date"), "2021-08-15");
  EXPECT_EQ(eval("at > now()"), "t");
  h_.commit_time_us += 3'600'000'000;
  EXPECT_EQ(eval("now()"), "2021-08-15 11:00:00+00");
  EXPECT_EQ(eval("at > now()"), "f");
}

}  // namespace
}  // namespace sluice::transform
