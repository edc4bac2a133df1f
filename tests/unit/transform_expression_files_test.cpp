// Data-driven expression tests: every tests/data/expressions/*.test file lists
// expressions and what each evaluates to on the typed test row (transform_fixtures.hpp).
// The format is in tests/data/expressions/README.md. Adding a case is adding a line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

constexpr std::string_view kArrow = " -> ";
constexpr std::string_view kCompileError = "COMPILE ERROR";
constexpr std::string_view kEmpty = "(empty)";
const std::filesystem::path kDir = std::filesystem::path(SLUICE_TEST_DATA) / "expressions";

// What `expr` gives, in the file's notation.
std::string outcome(const testing::ExpressionHarness& harness, std::string_view expr) {
  try {
    std::string value = harness.eval(expr);
    return value.empty() ? std::string(kEmpty) : value;
  } catch (const ConfigError&) {
    return std::string(kCompileError);
  }
}

// Runs one file; returns the number of expressions checked.
int run_file(const std::filesystem::path& path) {
  testing::ExpressionHarness harness;
  std::ifstream in(path);
  std::string line;
  int line_number = 0;
  int checked = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line.starts_with('#')) continue;
    std::string where = path.filename().string() + ":" + std::to_string(line_number);
    if (line.starts_with("env ")) {
      size_t eq = line.find('=');
      ::setenv(line.substr(4, eq - 4).c_str(), line.substr(eq + 1).c_str(), 1);
      continue;
    }
    if (line.starts_with("commit_time_us ")) {
      harness.commit_time_us = std::stoll(line.substr(15));
      continue;
    }
    size_t arrow = line.find(kArrow);
    if (arrow == std::string::npos) {
      ADD_FAILURE() << where << ": neither a directive nor `EXPR -> RESULT`: " << line;
      continue;
    }
    std::string expr = line.substr(0, arrow);
    EXPECT_EQ(outcome(harness, expr), line.substr(arrow + kArrow.size())) << where << ": " << expr;
    ++checked;
  }
  return checked;
}

std::vector<std::string> expression_files() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir))
    if (entry.path().extension() == ".test") names.push_back(entry.path().stem().string());
  std::ranges::sort(names);
  return names;
}

class TransformExpressionFile : public ::testing::TestWithParam<std::string> {};

TEST_P(TransformExpressionFile, EveryExpressionGivesItsExpectedValue) {
  EXPECT_GT(run_file(kDir / (GetParam() + ".test")), 0);
}

INSTANTIATE_TEST_SUITE_P(Data, TransformExpressionFile, ::testing::ValuesIn(expression_files()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sluice::transform
