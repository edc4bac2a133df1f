#include "state/state_store.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sluice::state {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-state-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateStore> open_store() {
    Result<std::unique_ptr<StateStore>> store = StateStore::open({.dir = dir_ / "store"});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static std::string value_of(const StateStore& store, std::string_view key) {
    std::string value;
    Result<bool> found = store.get(key, value);
    EXPECT_TRUE(found.ok());
    return found.ok() && found.value() ? value : "<none>";
  }

  std::filesystem::path dir_;
  const StoreStamp stamp_{.pipeline = "orders", .definition = "f1", .position = "pg:0/16B3748"};
};

TEST_F(StateStoreTest, ANewStoreHasNoStampAndNoRows) {
  std::unique_ptr<StateStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->stamp().has_value());
  EXPECT_EQ(value_of(*store, "T1:42"), "<none>");
}

TEST_F(StateStoreTest, ACommitSurvivesReopeningWithItsStamp) {
  {
    std::unique_ptr<StateStore> store = open_store();
    StateBatch batch;
    batch.put("T1:42", "row 42");
    batch.put("T1:43", "row 43");
    ASSERT_TRUE(store->commit(batch, stamp_).ok());
    EXPECT_EQ(batch.count(), 0u);
  }
  std::unique_ptr<StateStore> store = open_store();
  ASSERT_TRUE(store->stamp().has_value());
  EXPECT_EQ(*store->stamp(), stamp_);
  EXPECT_EQ(value_of(*store, "T1:42"), "row 42");
  EXPECT_EQ(value_of(*store, "T1:43"), "row 43");
}

TEST_F(StateStoreTest, AnUncommittedBatchLeavesTheStoreAtItsLastStamp) {
  {
    std::unique_ptr<StateStore> store = open_store();
    StateBatch first;
    first.put("T1:42", "old");
    ASSERT_TRUE(store->commit(first, stamp_).ok());
    StateBatch second;
    second.put("T1:42", "new");
    second.put("T1:44", "row 44");
    // The process dies here: `second` is never committed.
  }
  std::unique_ptr<StateStore> store = open_store();
  EXPECT_EQ(store->stamp()->position, stamp_.position);
  EXPECT_EQ(value_of(*store, "T1:42"), "old");
  EXPECT_EQ(value_of(*store, "T1:44"), "<none>");
}

TEST_F(StateStoreTest, EraseAndScanInKeyOrderWithinThePrefix) {
  std::unique_ptr<StateStore> store = open_store();
  StateBatch batch;
  for (std::string key : {"R1:b", "R1:a", "R1:c", "R2:a", "T1:a"}) batch.put(key, key + "!");
  ASSERT_TRUE(store->commit(batch, stamp_).ok());
  batch.erase("R1:b");
  ASSERT_TRUE(store->commit(batch, stamp_).ok());

  std::vector<std::string> seen;
  ASSERT_TRUE(store
                  ->scan("R1:",
                         [&](std::string_view key, std::string_view value) {
                           seen.push_back(std::string(key) + "=" + std::string(value));
                           return true;
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"R1:a=R1:a!", "R1:c=R1:c!"}));

  seen.clear();
  ASSERT_TRUE(store
                  ->scan("R",
                         [&](std::string_view key, std::string_view) {
                           seen.emplace_back(key);
                           return seen.size() < 2;
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"R1:a", "R1:c"}));
}

// A truncated table: every key under its prefix goes, neighbours stay.
TEST_F(StateStoreTest, ErasePrefixRemovesOneTableOnly) {
  auto store = open_store();
  StateBatch batch;
  for (std::string key : {"T\x01"
                          "a",
                          "T\x01"
                          "b",
                          "T\x02"
                          "a",
                          "T\x01"})
    batch.put(key, "v");
  ASSERT_TRUE(store->commit(batch, stamp_).ok());
  batch.erase_prefix("T\x01");
  batch.put(
      "T\x01"
      "c",
      "new");  // after the erase in the same batch: kept
  ASSERT_TRUE(store->commit(batch, stamp_).ok());
  EXPECT_EQ(value_of(*store,
                     "T\x01"
                     "a"),
            "<none>");
  EXPECT_EQ(value_of(*store,
                     "T\x01"
                     "b"),
            "<none>");
  EXPECT_EQ(value_of(*store, "T\x01"), "<none>");
  EXPECT_EQ(value_of(*store,
                     "T\x01"
                     "c"),
            "new");
  EXPECT_EQ(value_of(*store,
                     "T\x02"
                     "a"),
            "v");
}

// The snapshot's rows go in without the log; a flush makes them durable before the stamp.
TEST_F(StateStoreTest, UnloggedWritesAreReadableAndSurviveAFlushedReopen) {
  {
    auto store = open_store();
    StateBatch batch;
    batch.put(
        "T\x01"
        "a",
        "row");
    ASSERT_TRUE(store->write_unlogged(batch).ok());
    EXPECT_EQ(batch.count(), 0u);
    EXPECT_EQ(value_of(*store,
                       "T\x01"
                       "a"),
              "row");
    ASSERT_TRUE(store->flush().ok());
    ASSERT_TRUE(store->commit(batch, stamp_).ok());
  }
  auto store = open_store();
  EXPECT_EQ(value_of(*store,
                     "T\x01"
                     "a"),
            "row");
  EXPECT_EQ(store->stamp(), stamp_);
}

TEST_F(StateStoreTest, TheStampIsNotAStateKey) {
  std::unique_ptr<StateStore> store = open_store();
  StateBatch batch;
  batch.put("A", "a");
  ASSERT_TRUE(store->commit(batch, stamp_).ok());
  size_t keys = 0;
  ASSERT_TRUE(store
                  ->scan("",
                         [&](std::string_view key, std::string_view) {
                           if (key != std::string_view("\0stamp", 6)) ++keys;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(keys, 1u);
}

TEST_F(StateStoreTest, ASecondProcessOnTheSameStoreIsRefused) {
  std::unique_ptr<StateStore> first = open_store();
  ASSERT_NE(first, nullptr);
  Result<std::unique_ptr<StateStore>> second = StateStore::open({.dir = dir_ / "store"});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Errc::kRefused);
  EXPECT_NE(second.error().message().find((dir_ / "store").string()), std::string::npos)
      << second.error().message();
}

TEST_F(StateStoreTest, ADamagedStoreIsBadInputNamingItsFolder) {
  {
    std::unique_ptr<StateStore> store = open_store();
    StateBatch batch;
    batch.put("T1:42", "row 42");
    ASSERT_TRUE(store->commit(batch, stamp_).ok());
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "store")) {
    if (entry.path().filename().string().starts_with("MANIFEST-")) {
      std::ofstream(entry.path(), std::ios::trunc) << "not a manifest";
    }
  }
  Result<std::unique_ptr<StateStore>> store = StateStore::open({.dir = dir_ / "store"});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), Errc::kBadInput) << store.error().message();
  ASSERT_TRUE(StateStore::destroy(dir_ / "store").ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "store"));
  std::unique_ptr<StateStore> rebuilt = open_store();
  ASSERT_NE(rebuilt, nullptr);
  EXPECT_FALSE(rebuilt->stamp().has_value());
}

}  // namespace
}  // namespace sluice::state
