// The function table is the one declaration of the flow functions: every name in it
// compiles, the compiler's error lists it, and docs/flows.md carries its reference.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace sluice::transform
