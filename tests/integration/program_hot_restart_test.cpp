// Hot restarts of weft-http and weft-kv under their real load tools: wrk keeps its
// keep-alive connections busy against weft-http --workers 2 while the master is restarted
// with SIGUSR2 again and again, and redis-benchmark runs back to back (PING, SET, GET:
// commands that need no earlier state, since a new generation starts empty) against
// weft-kv --workers 2. Not one socket error, non-2xx response, failed run or error reply
// is allowed. Bounded: a few restarts, a few seconds. bench/processes.sh does 20 of each.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "command.h"
#include "program.h"
#include "weft/core/address.h"

namespace weft::test {
namespace {

constexpr int kRestarts = 5;

// Restarts the master kRestarts times, running between(generation) once each new
// generation is ready; returns the last master's pid (0 on failure).
pid_t restart_repeatedly(Program& first, const std::function<void(int)>& between) {
  pid_t master = first.pid();
  for (int generation = 2; generation <= kRestarts + 1; ++generation) {
    EXPECT_EQ(::kill(master, SIGUSR2), 0);
    auto line = first.wait_line("hot restart: generation " + std::to_string(generation) + " (pid ");
    EXPECT_TRUE(line) << first.output();
    if (!line) return 0;
    EXPECT_NE(line->find("ready after"), std::string::npos) << *line;
    master = static_cast<pid_t>(number_after(*line, "(pid "));
    between(generation);
  }
  return master;
}

void expect_stops_cleanly(Program& first, pid_t master) {
  ASSERT_GT(master, 0);
  ::kill(master, SIGTERM);
  int status = 0;
  ASSERT_TRUE(wait_gone(master, kWait, &status)) << first.output();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_EQ(first.count_lines("hot restart failed"), 0u) << first.output();
}

// The number after `key` in wrk's report ("Socket errors: connect 0, read 3, ..."); 0 when
// wrk printed no such line (it prints socket errors and non-2xx responses only if any).
long wrk_count(const Program& wrk, std::string_view key) {
  std::string out = wrk.output();
  auto at = out.find(key);
  if (at == std::string::npos) return 0;
  return std::atol(out.c_str() + at + key.size());
}

// wrk against weft-http serving through `api` (callback or coro) across hot restarts.
void wrk_across_restarts(const std::string& api) {
  ASSERT_TRUE(have_program("/usr/bin/wrk")) << "wrk is missing (make test installs it)";
  ASSERT_TRUE(have_program("curl")) << "curl is missing (make test installs it)";
  become_subreaper();  // The old masters end up as this process's children.
  Program first(WEFT_HTTP_PATH, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet",
                                 "--shutdown-timeout", "20", "--api", api});
  Address address = master_address(first);
  ASSERT_TRUE(first.wait_line("generation 1 ready")) << first.output();
  std::string url = "http://127.0.0.1:" + std::to_string(address.port()) + "/";

  // Runs until interrupted (SIGINT makes wrk stop and report); --timeout above any pause
  // a sanitized build on a busy machine may take.
  Program wrk("/usr/bin/wrk", {"-t", "1", "-c", "8", "-d", "120s", "--timeout", "15s", url});
  // Served between restarts, by whichever generation accepts it.
  auto served = [&](int) {
    CommandResult r = run_command({"curl", "-sS", "--max-time", "10", url});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "Hello, World!\n");
  };
  served(1);
  pid_t master = restart_repeatedly(first, served);
  wrk.signal(SIGINT);
  auto status = wrk.wait_exit();
  ASSERT_TRUE(status) << wrk.output();
  ASSERT_NE(wrk.output().find(" requests in "), std::string::npos) << wrk.output();

  // "  1234 requests in 5.00s, ..."
  auto report = wrk.wait_line(" requests in ", Duration::zero());
  long requests = report ? std::atol(report->c_str()) : 0;
  std::printf(
      "wrk (%s API) across %d hot restarts: %ld requests, socket errors connect %ld read %ld write %ld timeout %ld, "
      "non-2xx %ld\n",
      api.c_str(), kRestarts, requests, wrk_count(wrk, "connect "), wrk_count(wrk, ", read "),
      wrk_count(wrk, ", write "), wrk_count(wrk, ", timeout "), wrk_count(wrk, "Non-2xx or 3xx responses: "));
  EXPECT_GT(requests, 0) << wrk.output();
  EXPECT_EQ(wrk.output().find("Socket errors"), std::string::npos) << wrk.output();
  EXPECT_EQ(wrk.output().find("Non-2xx"), std::string::npos) << wrk.output();
  expect_stops_cleanly(first, master);
}

TEST(ProgramHotRestart, WrkAgainstWeftHttpSeesNoErrors) {
  wrk_across_restarts("callback");
}

// The coroutine API stops as gracefully: no handler is cancelled, and a keep-alive
// connection's next request is answered (timeouts.idle_on_stop).
TEST(ProgramHotRestart, WrkAgainstWeftHttpOnTheCoroutineApiSeesNoErrors) {
  wrk_across_restarts("coro");
}

TEST(ProgramHotRestart, RedisBenchmarkAgainstWeftKvSeesNoErrors) {
  ASSERT_TRUE(have_program("/usr/bin/redis-benchmark")) << "redis-benchmark is missing (make test installs it)";
  become_subreaper();
  Program first(WEFT_KV_PATH, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet",
                               "--shutdown-timeout", "20"});
  Address address = master_address(first);
  ASSERT_TRUE(first.wait_line("generation 1 ready")) << first.output();

  // Short runs back to back: each opens its connections anew, and most span a restart.
  std::atomic<bool> stop{false};
  Counter runs;
  std::atomic<int> failed{0};
  std::string failure;
  std::thread load([&] {
    while (!stop.load()) {
      CommandResult r =
          run_command({"/usr/bin/redis-benchmark", "-h", "127.0.0.1", "-p", std::to_string(address.port()), "-c", "8",
                       "-n", "3000", "-t", "ping,set,get", "-e", "-q"},
                      {}, std::chrono::seconds(60));
      runs.add();
      // -e prints "Error from server: ..." for an error reply; a broken connection ends
      // the run with a message and status 1.
      if (r.exit_code != 0 || r.out.find("Error") != std::string::npos || r.err.find("Error") != std::string::npos ||
          r.out.find("GET: ") == std::string::npos) {
        if (failed.fetch_add(1) == 0) failure = r.describe() + "\n" + r.out;
      }
    }
  });
  auto one_more_run = [&](int) { EXPECT_TRUE(runs.wait_for(runs.value() + 1, std::chrono::seconds(60))); };
  one_more_run(1);
  pid_t master = restart_repeatedly(first, one_more_run);
  stop = true;
  load.join();
  std::printf("redis-benchmark across %d hot restarts: %zu runs, %d failed\n", kRestarts, runs.value(), failed.load());
  EXPECT_EQ(failed.load(), 0) << failure;
  EXPECT_GE(runs.value(), static_cast<size_t>(kRestarts));
  expect_stops_cleanly(first, master);
}

}  // namespace
}  // namespace weft::test
