#include "core/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(Error, RetriableCodesRaiseConnectionError) {
  for (Errc code : {Errc::kConnectFailed, Errc::kConnectionLost, Errc::kSerializationFailure,
                    Errc::kDeadlock, Errc::kFenced}) {
    Error error(code, "lost", "08006");
    EXPECT_TRUE(error.retriable()) << errc_name(code);
    EXPECT_THROW(error.raise(), ConnectionError) << errc_name(code);
  }
}

TEST(Error, OtherCodesRaiseFatalErrorKeepingTheServerCode) {
  for (Errc code : {Errc::kUniqueViolation, Errc::kRefused, Errc::kBadInput}) {
    Error error(code, "refused", "1062");
    EXPECT_FALSE(error.retriable()) << errc_name(code);
    EXPECT_EQ(error.server_code(), "1062");
    EXPECT_THROW(error.raise(), FatalError) << errc_name(code);
  }
}

TEST(Result, HoldsAValueOrAnError) {
  Result<std::string> good(std::string("row"));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(std::move(good).value_or_raise(), "row");

  Result<std::string> bad(Error(Errc::kFenced, "partition 3 moved"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Errc::kFenced);
  EXPECT_THROW((void)std::move(bad).value_or_raise(), ConnectionError);
}

TEST(Result, VoidResult) {
  Result<void> good;
  EXPECT_TRUE(good.ok());
  EXPECT_NO_THROW(good.value_or_raise());
  Result<void> bad(Error(Errc::kRefused, "syntax error", "42601"));
  EXPECT_FALSE(bad.ok());
  EXPECT_THROW(bad.value_or_raise(), FatalError);
}

}  // namespace
}  // namespace sluice
