// The Kafka topic codec: sluice's own envelope round-trips every cell state; malformed
// messages fail with the message's place and a reason. Debezium's messages are cases in
// tests/data/debezium/ (kafka_debezium_files_test.cpp).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "transport/kafka/change_codec.hpp"
#include "transport/kafka/kafka_config.hpp"
#include "transport/kafka/topic_layout.hpp"

namespace sluice::kafka {
namespace {

TableSchemaPtr orders() {
  auto t = std::make_shared<TableSchema>();
  t->schema = "public";
  t->name = "orders";
  t->columns = {{"id", LogicalType::kInt32, "integer", true},
                {"note", LogicalType::kText, "text", false},
                {"amount", LogicalType::kNumeric, "numeric(12,2)", false},
                {"body", LogicalType::kText, "text", false}};
  return t;
}

Change update_change() {
  Change c;
  c.op = Op::kUpdate;
  c.table = orders();
  c.before.append("7");
  c.before.append_null();
  c.before.append_null();
  c.before.append_null();
  c.after.append("7");
  c.after.append("tab\there \"quoted\" \\ \x01 ü");
  c.after.append_null();
  c.after.append_unchanged();
  c.commit_time_us = 1700000000123456;
  c.xid = 991;
  c.source_offset = SourceOffset{123456789};
  return c;
}

TEST(KafkaCodec, RoundTripKeepsEveryCellStateAndTheSchema) {
  Change in = update_change();
  std::string key = encode_key(in);
  EXPECT_EQ(key, R"({"id":"7"})");
  std::string value = encode_value(in, "shop", false);
  auto envelope = nlohmann::json::parse(value);
  EXPECT_EQ(envelope["op"], "u");
  EXPECT_EQ(envelope["source"]["connector"], "sluice");
  EXPECT_EQ(envelope["source"]["db"], "shop");
  EXPECT_EQ(envelope["source"]["table"], "orders");
  EXPECT_EQ(envelope["source"]["txId"], 991);
  EXPECT_EQ(envelope["ts_ms"], 1700000000123);

  ChangeDecoder decoder;
  Change out;
  ASSERT_TRUE(decoder.decode(key, value, "t [0]@0", out));
  EXPECT_EQ(out.op, Op::kUpdate);
  EXPECT_EQ(out.after, in.after);
  EXPECT_EQ(out.before, in.before);
  EXPECT_EQ(out.xid, 991u);
  EXPECT_EQ(out.source_offset.value, 123456789u);
  EXPECT_EQ(out.commit_time_us, 1700000000123000);
  ASSERT_EQ(out.table->columns.size(), 4u);
  EXPECT_EQ(out.table->qualified_name(), "public.orders");
  EXPECT_EQ(out.table->columns[2].warehouse_type, "numeric(12,2)");
  EXPECT_EQ(out.table->columns[2].type, LogicalType::kNumeric);
  EXPECT_TRUE(out.table->columns[0].is_key);

  // The same columns again: the same schema object (the sink keys staging tables by it).
  Change again;
  decoder.decode(key, value, "t [0]@1", again);
  EXPECT_EQ(again.table.get(), out.table.get());
}

TEST(KafkaCodec, SnapshotRowsDeletesAndTruncatesEncodeTheirOps) {
  Change row = update_change();
  row.op = Op::kInsert;
  row.before.clear();
  EXPECT_EQ(nlohmann::json::parse(encode_value(row, "db", true))["op"], "r");
  EXPECT_EQ(nlohmann::json::parse(encode_value(row, "db", false))["op"], "c");
  Change del = update_change();
  del.op = Op::kDelete;
  del.after.clear();
  EXPECT_EQ(encode_key(del), R"({"id":"7"})");
  auto envelope = nlohmann::json::parse(encode_value(del, "db", false));
  EXPECT_EQ(envelope["op"], "d");
  EXPECT_TRUE(envelope["after"].is_null());
  ChangeDecoder decoder;
  Change out;
  ASSERT_TRUE(decoder.decode(encode_key(del), encode_value(del, "db", false), "x", out));
  EXPECT_EQ(out.op, Op::kDelete);
  EXPECT_EQ(out.before, del.before);
  Change truncate;
  truncate.op = Op::kTruncate;
  truncate.table = del.table;
  ASSERT_TRUE(decoder.decode("", encode_value(truncate, "db", false), "x", out));
  EXPECT_EQ(out.op, Op::kTruncate);
  EXPECT_EQ(out.table->name, "orders");
}

void expect_error(const std::string& key, const std::string& value, const std::string& reason) {
  ChangeDecoder decoder;
  Change out;
  try {
    decoder.decode(key, value, "orders [1]@99", out);
    ADD_FAILURE() << "no error for " << value;
  } catch (const FatalError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("orders [1]@99"), std::string::npos) << what;
    EXPECT_NE(what.find(reason), std::string::npos) << what;
  }
}

TEST(KafkaCodec, MalformedMessagesFailWithPlaceAndReason) {
  expect_error("", "{not json secret-value", "is not valid JSON");
  expect_error("", R"(["an","array"])", "must be a JSON object");
  expect_error("", R"({"source":{"table":"t"},"after":{}})", "has no \"op\"");
  expect_error("", R"({"op":"x","source":{"table":"t"}})", "unknown op 'x'");
  expect_error("", R"({"op":"c","after":{"id":1}})", "has no \"source\"");
  expect_error("", R"({"op":"c","source":{"table":"t"},"after":{"id":1}})", "no message key");
  expect_error(R"({"id":1})", R"({"op":"c","source":{"table":"t"},"after":null})",
               "neither \"after\" nor \"before\"");
  expect_error(R"({"id":1})", R"({"op":"c","source":{"table":"t"},"after":[1]})",
               "neither \"after\" nor \"before\"");
  expect_error("", R"({"op":"c","source":{"table":"t"},"after":{"id":"1"},
      "sluice":{"columns":[["id","int32","integer"]]}})",
               "a column must be");
  expect_error("", R"({"op":"c","source":{"table":"t"},"after":{"id":"1"},
      "sluice":{"columns":[["id","int99","integer",true]]}})",
               "unknown column type 'int99'");
  expect_error("", R"({"op":"c","source":{"table":"t"},"after":null,
      "sluice":{"columns":[["id","int32","integer",true]]}})",
               "without \"after\"");
  // The error never quotes the message body.
  ChangeDecoder decoder;
  Change out;
  try {
    decoder.decode("", "{\"secret-value\" oops", "x", out);
  } catch (const FatalError& e) {
    EXPECT_EQ(std::string(e.what()).find("secret-value"), std::string::npos);
  }
}

TEST(KafkaLayout, PartitionsAreStableAndSpread) {
  EXPECT_EQ(partition_for(R"({"id":"7"})", 6), partition_for(R"({"id":"7"})", 6));
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 6000; ++i)
    ++counts[partition_for(R"({"id":")" + std::to_string(i) + "\"}", 6)];
  for (int c : counts) EXPECT_GT(c, 800);
}

TEST(KafkaConfig, SecretPropertiesAreRedacted) {
  EXPECT_EQ(redact_property("sasl.password", "hunter2"), "sasl.password=****");
  EXPECT_EQ(redact_property("ssl.key.pem", "x"), "ssl.key.pem=****");
  EXPECT_EQ(redact_property("sasl.oauthbearer.client.secret", "x"),
            "sasl.oauthbearer.client.secret=****");
  EXPECT_EQ(redact_property("linger.ms", "5"), "linger.ms=5");
  TransportConfig transport;
  transport.brokers = "127.0.0.1:1";
  transport.properties = {{"ssl.key.password", "hunter2"}, {"no.such.property", "x"}};
  try {
    make_conf(transport, {});
    ADD_FAILURE() << "an unknown property was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.property"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
  transport.properties = {{"sasl.password", "hunter2"}, {"acks", "banana"}};
  try {
    make_conf(transport, {});
    ADD_FAILURE() << "a bad value was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("acks=banana"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::kafka
