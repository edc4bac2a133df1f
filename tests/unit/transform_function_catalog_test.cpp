// The function table is the one declaration of the flow functions: every name in it
// compiles, with the arity and types of its row, the compiler's error lists it, and
// docs/flows.md carries its reference.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "transform/function_catalog.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

std::string docs_block() {
  std::ifstream in(std::string(SLUICE_TEST_DATA) + "/../../docs/flows.md");
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  constexpr std::string_view kBegin = "<!-- functions-reference: begin -->\n";
  size_t begin = doc.find(kBegin);
  size_t end = doc.find("<!-- functions-reference: end -->");
  if (begin == std::string::npos || end == std::string::npos) return "markers not found";
  begin += kBegin.size();
  return doc.substr(begin, end - begin);
}

TEST(TransformFunctionCatalog, DocsCarryTheGeneratedReference) {
  EXPECT_EQ(docs_block(), function_reference())
      << "regenerate the block in docs/flows.md with: build/sluice functions-reference";
}

TEST(TransformFunctionCatalog, EveryNameIsFoundAndTheErrorListsEveryFunction) {
  testing::ExpressionHarness harness;
  std::string message;
  try {
    harness.compile("nosuch(name)");
  } catch (const ConfigError& e) {
    message = e.what();
  }
  for (const FunctionSpec& spec : function_catalog()) {
    EXPECT_NE(message.find(std::string(spec.names[0])), std::string::npos) << spec.names[0];
    for (std::string_view name : spec.names) {
      if (!name.empty()) {
        EXPECT_EQ(find_function(name), &spec) << name;
      }
    }
  }
  EXPECT_EQ(find_function("nosuch"), nullptr);
  EXPECT_EQ(find_function(""), nullptr);
}

// A call of `spec` with `count` arguments of the declared types, on typed_table() columns,
// by its last name: the SQL-syntax forms (EXTRACT, TRIM, SUBSTRING) have plain aliases.
std::string call_of(const FunctionSpec& spec, size_t count) {
  std::string args;
  for (size_t i = 0; i < count; ++i) {
    std::string_view arg;
    switch (spec.arg(i)) {
      case ArgType::kAny:
      case ArgType::kText:
        arg = "name";
        break;
      case ArgType::kAnyAsText:
        arg = "amount";
        break;
      case ArgType::kInteger:
        arg = "id";
        break;
      case ArgType::kTemporal:
        arg = "at_tz";
        break;
      case ArgType::kUnit:
        arg = "'month'";
        break;
      case ArgType::kField:
        arg = "'dow'";
        break;
      case ArgType::kKeyVariable:
        arg = "'SLUICE_TEST_CATALOG_KEY'";
        break;
      case ArgType::kKeepLast:
        arg = "2";
        break;
    }
    args += fmt::format("{}{}", i == 0 ? "" : ", ", arg);
  }
  std::string_view name;
  for (std::string_view alias : spec.names)
    if (!alias.empty()) name = alias;
  return fmt::format("{}({})", name, args);
}

ExprType expected_type(ResultType result) {
  switch (result) {
    case ResultType::kCommon:
    case ResultType::kFirst:
    case ResultType::kText:
      return ExprType::kText;  // of `name`
    case ResultType::kInteger:
      return ExprType::kInt32;
    case ResultType::kNumeric:
      return ExprType::kNumeric;
    case ResultType::kTimestamp:
    case ResultType::kTimestampTz:
      return ExprType::kTimestampTz;  // of `at_tz`
    case ResultType::kDate:
      return ExprType::kDate;
  }
  return ExprType::kUnknown;
}

TEST(TransformFunctionCatalog, EveryArityOfARowCompilesToItsOpcodeAndResultType) {
  ::setenv("SLUICE_TEST_CATALOG_KEY", "k", 1);
  testing::ExpressionHarness harness;
  for (const FunctionSpec& spec : function_catalog()) {
    for (size_t count = spec.min_args; count <= std::min<size_t>(spec.max_args, 4); ++count) {
      std::string call = call_of(spec, count);
      NodePtr node;
      EXPECT_NO_THROW(node = harness.compile(call)) << call;
      if (!node) continue;
      EXPECT_EQ(node->op, spec.op) << call;
      EXPECT_EQ(node->type, expected_type(spec.result)) << call;
    }
  }
}

TEST(TransformFunctionCatalog, CallsOutsideTheArityOfTheRowAreRefused) {
  testing::ExpressionHarness harness;
  for (const FunctionSpec& spec : function_catalog()) {
    std::string too_many = call_of(spec, spec.max_args + 1);
    EXPECT_THROW(harness.compile(too_many), ConfigError) << too_many;
    if (spec.min_args == 0) continue;
    std::string too_few = call_of(spec, spec.min_args - 1);
    EXPECT_THROW(harness.compile(too_few), ConfigError) << too_few;
  }
}

TEST(TransformFunctionCatalog, SignaturesShowOptionalAndRepeatedArguments) {
  EXPECT_EQ(function_signature(*find_function("substring")), "(text, integer[, integer]) → text");
  EXPECT_EQ(function_signature(*find_function("coalesce")), "(any, ...) → common type");
  EXPECT_EQ(function_signature(*find_function("now")), "() → timestamptz");
  EXPECT_EQ(function_signature(*find_function("sha256")), "(any) → text (character(64))");
}

}  // namespace
}  // namespace sluice::transform
