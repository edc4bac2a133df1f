// Signature Version 4 against the examples AWS publishes for S3 ("Signature Calculations
// for the Authorization Header: Transferring Payload in a Single Chunk"): same keys, same
// date, same requests, the documented signatures.
#include "sink/s3/sigv4.hpp"

#include <gtest/gtest.h>

namespace sluice::s3 {
namespace {

const AwsCredentials kExampleKeys{"AKIAIOSFODNN7EXAMPLE",
                                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr const char* kDate = "20130524T000000Z";
constexpr const char* kHost = "examplebucket.s3.amazonaws.com";
constexpr const char* kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigV4Request example_get(std::string uri, std::string query) {
  return {"GET",
          std::move(uri),
          std::move(query),
          {{"Host", kHost}, {"x-amz-content-sha256", kEmptyHash}, {"x-amz-date", kDate}},
          kEmptyHash};
}

std::string signature_of(const std::string& authorization) {
  return authorization.substr(authorization.rfind("Signature=") + 10);
}

TEST(SigV4, HashesLikeTheExamples) {
  EXPECT_EQ(sha256_hex(""), kEmptyHash);
  EXPECT_EQ(sha256_hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
}

TEST(SigV4, GetObjectWithRange) {
  SigV4Request request = example_get("/test.txt", "");
  request.headers.emplace_back("Range", "bytes=0-9");
  EXPECT_EQ(authorization_header(request, kExampleKeys, "us-east-1", "s3", kDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectWithAnEncodedKey) {
  std::string hash = sha256_hex("Welcome to Amazon S3.");
  SigV4Request request{"PUT",
                       "/" + uri_encode("test$file.text", false),
                       "",
                       {{"Host", kHost},
                        {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                        {"x-amz-date", kDate},
                        {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                        {"x-amz-content-sha256", hash}},
                       hash};
  EXPECT_EQ(canonical_request(request),
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
            "host:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" +
                hash +
                "\nx-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
                "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n" +
                hash);
  EXPECT_EQ(signature_of(authorization_header(request, kExampleKeys, "us-east-1", "s3", kDate)),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, GetBucketLifecycle) {
  SigV4Request request = example_get("/", "lifecycle=");
  EXPECT_EQ(signature_of(authorization_header(request, kExampleKeys, "us-east-1", "s3", kDate)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, ListObjects) {
  SigV4Request request = example_get("/", "max-keys=2&prefix=J");
  EXPECT_EQ(signature_of(authorization_header(request, kExampleKeys, "us-east-1", "s3", kDate)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, AnotherSecretSignsDifferently) {
  AwsCredentials wrong = kExampleKeys;
  wrong.secret_access_key.back() = 'X';
  SigV4Request request = example_get("/", "lifecycle=");
  EXPECT_NE(signature_of(authorization_header(request, wrong, "us-east-1", "s3", kDate)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, EncodesEveryByteButUnreserved) {
  EXPECT_EQ(uri_encode("a b/ü+~_.-", false), "a%20b/%C3%BC%2B~_.-");
  EXPECT_EQ(uri_encode("a/b", true), "a%2Fb");
}

TEST(SigV4, AmzDateIsUtcSeconds) {
  std::string date = amz_date_now();
  ASSERT_EQ(date.size(), 16u) << date;
  EXPECT_EQ(date[8], 'T');
  EXPECT_EQ(date.back(), 'Z');
}

TEST(SigV4, MessagesLoseTheSecrets) {
  AwsCredentials keys{"AKID", "very/secret+key", "session-token"};
  EXPECT_EQ(without_secrets("a very/secret+key b session-token c very/secret+key", keys),
            "a **** b **** c ****");
}

}  // namespace
}  // namespace sluice::s3
