// weft-kv driven by redis-cli, one script per command family (scripts/*.txt), each run
// against weft-kv with one loop, with two loops (the same replies: keys on both loops,
// commands spanning them) and against redis-server itself (the replies are Redis's).
//
// Script format: "> COMMAND" lines are sent to one redis-cli process (--no-raw); the lines
// after one are its expected output. ">~" compares the output as an unordered set of
// lines (positions of array elements ignored), ">*" only runs the command, ">w" marks
// output that is weft-kv's own (checked against weft-kv only). Blank lines are ignored, and
// so are lines starting with '#' before the first command (after it they are output:
// INFO's headers).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "external_server.h"

namespace weft::test {
namespace {

constexpr std::string_view kSeparator = "__weft_sep__";

struct Step {
  std::string command;
  char mode = ' ';  // ' ' exact, '~' unordered, '*' ignored, 'w' weft-kv only.
  std::vector<std::string> expected;
};

std::vector<Step> load(const std::string& path) {
  std::ifstream in(path);
  std::vector<Step> steps;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line[0] == '#' && steps.empty())) continue;
    if (line[0] == '>') {
      Step s;
      s.mode = line.size() > 1 && line[1] != ' ' ? line[1] : ' ';
      s.command = line.substr(s.mode == ' ' ? 2 : 3);
      steps.push_back(std::move(s));
    } else if (!steps.empty()) {
      steps.back().expected.push_back(line);
    }
  }
  return steps;
}

// An array element without its position ("3) \"k\"" is "\"k\""), for unordered replies.
std::string without_position(const std::string& line) {
  size_t i = line.find_first_not_of(' ');
  if (i == std::string::npos) return line;
  size_t j = i;
  while (j < line.size() && line[j] >= '0' && line[j] <= '9') ++j;
  if (j > i && line.compare(j, 2, ") ") == 0) return line.substr(j + 2);
  return line;
}

// Runs every step through one redis-cli connection; returns each step's output lines.
std::vector<std::vector<std::string>> run(const ExternalServer& server, const std::vector<Step>& steps) {
  std::string input;
  for (const Step& s : steps) {
    input += s.command;
    input += "\nECHO ";
    input += kSeparator;
    input += '\n';
  }
  const ProgramResult r = run_program({"/usr/bin/redis-cli", "--no-raw", "-s", server.socket_path()}, input);
  std::vector<std::vector<std::string>> outputs(1);
  std::istringstream lines(r.output);
  std::string line;
  std::string marker = "\"";
  marker += kSeparator;
  marker += '"';
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // INFO's lines end in CRLF.
    if (line == marker) {
      outputs.emplace_back();
    } else {
      outputs.back().push_back(line);
    }
  }
  outputs.pop_back();  // What follows the last separator (nothing).
  return outputs;
}

struct Target {
  const char* name;
  size_t loops;  // 0: redis-server.
};

class RedisCliScript : public ::testing::TestWithParam<std::tuple<std::string, Target>> {};

TEST_P(RedisCliScript, RepliesMatch) {
  const auto& [script, target] = GetParam();
  if (!program_exists("/usr/bin/redis-cli")) GTEST_SKIP() << "redis-cli is not installed (Debian redis-tools)";
  std::unique_ptr<ExternalServer> server = target.loops == 0 ? start_redis() : start_weft_kv(target.loops);
  if (server == nullptr) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_TRUE(server->ready()) << target.name << " did not start";
  const std::vector<Step> steps = load(std::string(WEFT_KV_SCRIPTS) + "/" + script + ".txt");
  ASSERT_FALSE(steps.empty());
  const auto outputs = run(*server, steps);
  ASSERT_EQ(outputs.size(), steps.size())
      << "redis-cli answered " << outputs.size() << " of " << steps.size() << " commands";
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (s.mode == '*' || (s.mode == 'w' && target.loops == 0)) continue;
    std::vector<std::string> got = outputs[i];
    std::vector<std::string> want = s.expected;
    if (s.mode == '~') {
      for (std::string& l : got) l = without_position(l);
      for (std::string& l : want) l = without_position(l);
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
    }
    std::ostringstream g, w;
    for (const std::string& l : got) g << "\n    " << l;
    for (const std::string& l : want) w << "\n    " << l;
    EXPECT_EQ(got, want) << script << ": > " << s.command << "\n  got:" << g.str() << "\n  expected:" << w.str();
  }
}

std::vector<std::string> scripts() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(WEFT_KV_SCRIPTS)) {
    if (entry.path().extension() == ".txt") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Families, RedisCliScript,
                         ::testing::Combine(::testing::ValuesIn(scripts()),
                                            ::testing::Values(Target{"weft-kv-1-loop", 1}, Target{"weft-kv-2-loops", 2},
                                                              Target{"redis-server", 0})),
                         [](const auto& param_info) {
                           std::string name = std::get<0>(param_info.param);
                           name += '_';
                           name += std::get<1>(param_info.param).name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace weft::test
