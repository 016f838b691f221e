// --workers on weft-http, weft-kv and weft-proxy: each program, run with two worker
// processes, serves its real clients (curl, redis-cli, a TCP client through the proxy to
// a weft-echo upstream); a worker killed with SIGKILL is restarted by the master while the
// other keeps answering; SIGTERM stops everything and the master exits 0. Every wait is for
// a log line, an answer or an exit, with a deadline.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <functional>
#include <string>
#include <vector>

#include "command.h"
#include "loopback_client.h"
#include "program.h"

namespace weft::test {
namespace {

// Runs `check` (which asserts a real client is served) once the two workers are ready,
// again while worker 0 is being restarted after a SIGKILL and once it is back, then stops
// the master with SIGTERM and expects status 0.
void serve_kill_restart_stop(Program& master, const std::function<void(int round)>& check) {
  auto first = master.wait_line("worker 0 pid ");
  ASSERT_TRUE(first) << master.output();
  ASSERT_TRUE(master.wait_line("generation 1 ready")) << master.output();
  for (int round = 0; round < 4; ++round) check(round);

  kill_worker_zero(master, *first);
  if (::testing::Test::HasFatalFailure()) return;
  // Worker 1 answers while worker 0 is down or starting again.
  for (int round = 4; round < 8; ++round) check(round);
  auto ready = master.wait_line("ready (");
  ASSERT_TRUE(ready) << master.output();
  EXPECT_NE(ready->find("worker 0 pid"), std::string::npos) << *ready;
  EXPECT_NE(ready->find("restarts 1"), std::string::npos) << *ready;
  for (int round = 8; round < 12; ++round) check(round);

  master.signal(SIGTERM);
  auto status = master.wait_exit();
  ASSERT_TRUE(status) << "the master did not exit\n" << master.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status << "\n" << master.output();
  EXPECT_EQ(master.count_lines("stopped (exited with status 0)"), 2u) << master.output();
}

TEST(ProgramWorkers, HttpServesCurlThroughAKilledWorker) {
  ASSERT_TRUE(have_program("curl")) << "curl is missing (make test installs it)";
  Program master(WEFT_HTTP_PATH, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0"});
  Address address = master_address(master);
  std::string base = "http://127.0.0.1:" + std::to_string(address.port());
  serve_kill_restart_stop(master, [&](int round) {
    // Two requests on one connection, then a body echoed back.
    CommandResult r = run_command({"curl", "-sS", "--max-time", "10", base + "/a", base + "/b"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "Hello, World!\nHello, World!\n");
    std::string body = "round " + std::to_string(round);
    r = run_command({"curl", "-sS", "--max-time", "10", "--data-binary", body, base + "/echo"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, body);
  });
}

TEST(ProgramWorkers, KvServesRedisCliThroughAKilledWorker) {
  ASSERT_TRUE(have_program("redis-cli")) << "redis-cli is missing (make test installs redis-tools)";
  Program master(WEFT_KV_PATH, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0"});
  Address address = master_address(master);
  serve_kill_restart_stop(master, [&](int round) {
    // One connection, so one worker: what it sets, it reads back.
    std::string value = std::to_string(round * 7 + 1);
    CommandResult r = run_command({"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(address.port())},
                                  "PING\nSET key " + value + "\nGET key\nINCR counter\n");
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.substr(0, r.out.rfind('\n', r.out.size() - 2) + 1), "PONG\nOK\n" + value + "\n") << r.out;
  });
}

TEST(ProgramWorkers, ProxyRelaysThroughAKilledWorker) {
  Program upstream(WEFT_ECHO_PATH, {"--loops", "1", "--addr", "tcp://127.0.0.1:0"});
  auto line = upstream.wait_line("listening on ");
  ASSERT_TRUE(line) << upstream.output();
  std::string upstream_url = address_in(*line).to_string();
  Program master(WEFT_PROXY_PATH, {"--workers", "2", "--loops", "1", "--listen", "tcp://127.0.0.1:0", "--upstream",
                                   upstream_url, "--quiet"});
  Address address = master_address(master);
  serve_kill_restart_stop(master, [&](int round) {
    for (int i = 0; i < 4; ++i) {
      LoopbackClient client(address);
      ASSERT_TRUE(client.connected()) << client.connect_error();
      IoResult r = client.echo_pattern(static_cast<uint64_t>(round * 4 + i), 256 * 1024);
      EXPECT_TRUE(r.ok()) << r.describe();
    }
  });
  upstream.signal(SIGTERM);
  EXPECT_TRUE(upstream.wait_exit());
}

}  // namespace
}  // namespace weft::test
