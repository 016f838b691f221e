// Redis's own benchmark against weft-kv: every test it runs for the issue's command list
// completes with no error reply (redis-benchmark exits at the first one), with keys on
// both loops. Run once per build; speed is measured in bench/, not here.

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "external_server.h"

namespace weft::test {
namespace {

TEST(RedisBenchmark, IssueCommandListCompletesWithoutErrors) {
  const std::string exe = "/usr/bin/redis-benchmark";
  if (!program_exists(exe)) GTEST_SKIP() << "redis-benchmark is not installed (Debian redis-tools)";
  std::unique_ptr<ExternalServer> server = start_weft_kv(2);
  ASSERT_TRUE(server->ready());
  const ProgramResult r = run_program(
      {exe, "-s", server->socket_path(), "-t",
       "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset", "-n", "20000", "-q"},
      "", std::chrono::seconds(240));
  ASSERT_EQ(r.status, 0) << r.output.substr(r.output.size() > 2000 ? r.output.size() - 2000 : 0);
  // No error replies, and CONFIG GET answered (else it warns that it could not fetch it).
  EXPECT_EQ(r.output.find("Error"), std::string::npos) << r.output.substr(0, 500);
  EXPECT_EQ(r.output.find("WARNING"), std::string::npos) << r.output.substr(0, 500);
  // One result line per test ("SET: 81234.56 requests per second, ..."), progress lines
  // aside.
  std::string normalized = r.output;
  for (char& ch : normalized) {
    if (ch == '\r') ch = '\n';
  }
  for (const char* test :
       {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP",
        "ZADD", "ZPOPMIN", "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
        "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)", "MSET (10 keys)"}) {
    std::istringstream lines(normalized);
    bool found = false;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(std::string(test) + ": ", 0) == 0 && line.find("requests per second") != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << "no result for " << test;
  }
}

}  // namespace
}  // namespace weft::test
