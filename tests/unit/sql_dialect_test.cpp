#include "sink/postgres/sql_dialect.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "sink/postgres/s3_staging.hpp"

namespace sluice::warehouse {
namespace {

TableSchema sample_table() {
  TableSchema t;
  t.name = "orders";
  t.columns = {{"id", LogicalType::kInt64, "bigint", true},
               {"note", LogicalType::kText, "text", false},
               {"doc", LogicalType::kJson, "jsonb", false},
               {"raw", LogicalType::kBytes, "bytea", false},
               {"at", LogicalType::kTimestampTz, "timestamp(6) with time zone", false},
               {"price", LogicalType::kNumeric, "numeric(12,2)", false}};
  return t;
}

// S3 staging with access keys, with temporary credentials, and with an IAM role.
std::vector<S3StagingConfig> s3_configs() {
  S3StagingConfig keys;
  keys.region = "eu-west-1";
  keys.access_key_id = "AKIAEXAMPLE";
  keys.secret_access_key = "wJalr/secret+key";
  S3StagingConfig temporary = keys;
  temporary.session_token = "session-token";
  S3StagingConfig role = keys;
  role.iam_role = "arn:aws:iam::123456789012:role/load";
  return {keys, temporary, role};
}

// Every statement the Redshift dialect can emit for a table.
std::vector<std::string> redshift_statements() {
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  TableSchema table = sample_table();
  std::vector<std::string> all = {dialect->create_table("\"dw\".\"orders\"", table),
                                  dialect->add_column("\"dw\".\"orders\"", table.columns[1]),
                                  dialect->create_staging("sluice_stage_0", table),
                                  dialect->clear_staging("sluice_stage_0"),
                                  dialect->truncate("\"dw\".\"orders\""),
                                  dialect->create_checkpoint_table("\"dw\".\"sluice_checkpoint\"")};
  for (std::string& s : dialect->merge("\"dw\".\"orders\"", "sluice_stage_0", table))
    all.push_back(s);
  for (std::string& s : dialect->write_checkpoint("\"dw\".\"sluice_checkpoint\"")) all.push_back(s);
  for (const S3StagingConfig& s3 : s3_configs())
    all.push_back(copy_from_s3_sql("sluice_stage_0", "sluice_seq, sluice_op, \"id\"",
                                   "s3://bucket/sluice/p/1.csv.gz", s3));
  all.push_back(copy_from_s3_sql("\"dw\".\"orders\"", "\"id\"", "s3://bucket/sluice/p/2.manifest",
                                 s3_configs()[2], S3CopySource::kManifest));
  return all;
}

// The statement without its string literals: an ARN's "::" is not a cast.
std::string outside_literals(const std::string& statement) {
  return std::regex_replace(statement, std::regex("'([^']|'')*'"), "''");
}

TEST(RedshiftDialect, UsesOnlyRedshiftSyntax) {
  // Constructs Redshift rejects (or, for TRUNCATE, that would commit the open transaction).
  const std::vector<std::string> forbidden = {
      "ON CONFLICT",  "DISTINCT ON", "FROM STDIN",
      "ON COMMIT",    "RETURNING",   "::",
      "TRUNCATE",     "MERGE",       "ADD COLUMN IF NOT EXISTS",
      "to_timestamp", "now()",       "jsonb",
      "bytea",        " text",       "timestamp(6)",
      "E'",           "WITH (",      "FORMAT csv",
      "CREDENTIALS"};
  for (const std::string& statement : redshift_statements())
    for (const std::string& word : forbidden)
      EXPECT_EQ(outside_literals(statement).find(word), std::string::npos)
          << word << " in: " << statement;
}

// https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html: authorization is IAM_ROLE or
// ACCESS_KEY_ID/SECRET_ACCESS_KEY[/SESSION_TOKEN], never both.
TEST(RedshiftDialect, CopyFromS3UsesRedshiftParameters) {
  std::vector<S3StagingConfig> configs = s3_configs();
  std::vector<std::string> copies;
  for (const S3StagingConfig& s3 : configs)
    copies.push_back(copy_from_s3_sql("sluice_stage_0", "sluice_seq, \"id\"",
                                      "s3://bucket/sluice/p/1.csv.gz", s3));
  EXPECT_EQ(copies[0],
            "COPY sluice_stage_0 (sluice_seq, \"id\") FROM 's3://bucket/sluice/p/1.csv.gz' "
            "ACCESS_KEY_ID 'AKIAEXAMPLE' SECRET_ACCESS_KEY 'wJalr/secret+key' FORMAT AS CSV "
            "NULL AS '\\000' GZIP REGION 'eu-west-1' TIMEFORMAT 'auto' DATEFORMAT 'auto'");
  EXPECT_NE(copies[1].find("SECRET_ACCESS_KEY 'wJalr/secret+key' SESSION_TOKEN 'session-token' "
                           "FORMAT AS CSV"),
            std::string::npos)
      << copies[1];
  EXPECT_NE(copies[2].find("FROM 's3://bucket/sluice/p/1.csv.gz' IAM_ROLE "
                           "'arn:aws:iam::123456789012:role/load' FORMAT AS CSV"),
            std::string::npos)
      << copies[2];
  EXPECT_EQ(copies[2].find("ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(copies[2].find("secret"), std::string::npos);
}

// The MANIFEST keyword belongs among the data source parameters, before the format.
TEST(RedshiftDialect, CopyFromAManifestSaysSo) {
  EXPECT_EQ(copy_from_s3_sql("\"dw\".\"orders\"", "\"id\"", "s3://bucket/sluice/p/2.manifest",
                             s3_configs()[2], S3CopySource::kManifest),
            "COPY \"dw\".\"orders\" (\"id\") FROM 's3://bucket/sluice/p/2.manifest' IAM_ROLE "
            "'arn:aws:iam::123456789012:role/load' MANIFEST FORMAT AS CSV NULL AS '\\000' GZIP "
            "REGION 'eu-west-1' TIMEFORMAT 'auto' DATEFORMAT 'auto'");
}

TEST(RedshiftDialect, CopyFromS3QuotesLiterals) {
  S3StagingConfig s3 = s3_configs()[2];
  s3.iam_role = "arn:aws:iam::1:role/o'brien";
  EXPECT_NE(
      copy_from_s3_sql("s", "c", "s3://b/k", s3).find("IAM_ROLE 'arn:aws:iam::1:role/o''brien'"),
      std::string::npos);
}

TEST(RedshiftDialect, MapsTypesToRedshiftTypes) {
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  auto type_of = [&](std::string pg) {
    return dialect->column_type(Column{"c", LogicalType::kOther, std::move(pg), false});
  };
  EXPECT_EQ(type_of("text"), "VARCHAR(65535)");
  EXPECT_EQ(type_of("jsonb"), "VARCHAR(65535)");
  EXPECT_EQ(type_of("bytea"), "VARBYTE(1024000)");
  EXPECT_EQ(type_of("uuid"), "CHAR(36)");
  EXPECT_EQ(type_of("character varying(20)"), "VARCHAR(20)");
  EXPECT_EQ(type_of("timestamp(6) with time zone"), "TIMESTAMPTZ");
  EXPECT_EQ(type_of("timestamp without time zone"), "TIMESTAMP");
  EXPECT_EQ(type_of("numeric(12,2)"), "numeric(12,2)");
  EXPECT_EQ(type_of("numeric"), "NUMERIC(38,10)");
  EXPECT_EQ(type_of("integer[]"), "VARCHAR(65535)");
  EXPECT_EQ(type_of("bigint"), "bigint");
}

TEST(RedshiftDialect, MergeIsDeleteThenInsertOfTheLatestChangePerKey) {
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  std::vector<std::string> merge = dialect->merge("\"dw\".\"orders\"", "s", sample_table());
  ASSERT_EQ(merge.size(), 5u);
  EXPECT_NE(merge[1].find("ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY sluice_seq DESC)"),
            std::string::npos);
  EXPECT_EQ(merge[3].rfind("DELETE FROM \"dw\".\"orders\" USING s_latest", 0), 0u);
  EXPECT_EQ(merge[4].rfind("INSERT INTO \"dw\".\"orders\"", 0), 0u);
}

TEST(PostgresDialect, MergeKeepsUnchangedToastValues) {
  auto dialect = SqlDialect::make(SinkType::kPostgres);
  std::vector<std::string> merge = dialect->merge("\"dw\".\"orders\"", "s", sample_table());
  ASSERT_EQ(merge.size(), 1u);
  EXPECT_NE(merge[0].find("\"note\" = CASE WHEN substring(s.sluice_unchanged, 2, 1) = 'u' THEN "
                          "t.\"note\" ELSE s.\"note\" END"),
            std::string::npos)
      << merge[0];
}

// Primary key id, replica identity index on note.
TableSchema identity_table() {
  TableSchema t = sample_table();
  t.columns[1].is_identity = true;
  return t;
}

TEST(PostgresDialect, ReplicaIdentityTableDeletesByIdentityThenInserts) {
  auto dialect = SqlDialect::make(SinkType::kPostgres);
  std::vector<std::string> merge = dialect->merge("\"dw\".\"orders\"", "s", identity_table());
  ASSERT_EQ(merge.size(), 3u);
  EXPECT_NE(merge[0].find("\"id\" = CASE WHEN substring(s.sluice_unchanged, 1, 1) = 'u'"),
            std::string::npos)
      << merge[0];
  EXPECT_EQ(merge[1],
            "DELETE FROM \"dw\".\"orders\" AS t USING s AS s WHERE t.\"note\" = s.\"note\"");
  EXPECT_NE(
      merge[2].find("SELECT DISTINCT ON (\"note\") * FROM s ORDER BY \"note\", sluice_seq DESC"),
      std::string::npos)
      << merge[2];
}

TEST(SqlDialect, MovedRowsFillFromTheOldKeysRow) {
  for (SinkType type : {SinkType::kPostgres, SinkType::kRedshift}) {
    std::string fill =
        SqlDialect::make(type)->fill_from_moved_rows("\"dw\".\"orders\"", "s", sample_table());
    EXPECT_NE(fill.find("FROM s AS d, \"dw\".\"orders\" AS t WHERE d.sluice_seq = "
                        "u.sluice_fill_seq AND t.\"id\" = d.\"id\""),
              std::string::npos)
        << fill;
    EXPECT_NE(fill.find("sluice_unchanged = NULL"), std::string::npos) << fill;
  }
}

TEST(SqlDialect, QuotesIdentifiers) {
  EXPECT_EQ(quote_identifier("plain"), "\"plain\"");
  EXPECT_EQ(quote_identifier("we\"ird"), "\"we\"\"ird\"");
}

}  // namespace
}  // namespace sluice::warehouse
