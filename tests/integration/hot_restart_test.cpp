// Hot restart under continuous load: weft-echo --workers 2 is restarted 20 times in a row
// with SIGUSR2 while weft-load runs back to back against it (each run opens fresh
// connections, so every generation accepts some) and churning clients connect, echo and
// close without pause. No connection may be refused and no request may fail. A new binary
// that never becomes ready, or exits, is killed and the old generation keeps serving; the
// restart runs whatever file is at the binary's path.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "loopback_client.h"
#include "program.h"

namespace weft::test {
namespace {

const std::string kEcho = WEFT_ECHO_PATH;
const std::string kLoad = WEFT_LOAD_PATH;
constexpr int kRestarts = 20;

struct ChurnTotals {
  std::atomic<uint64_t> attempts{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> failed{0};
  Counter echoed;
};

// Connects, echoes 1 KiB, closes; again and again until told to stop.
void churn(const Address& address, ChurnTotals& totals, const std::atomic<bool>& stop, uint64_t seed) {
  while (!stop.load()) {
    totals.attempts.fetch_add(1);
    LoopbackClient client(address, {}, std::chrono::seconds(5));
    if (!client.connected()) {
      bool refused = client.connect_error().find("refused") != std::string::npos;
      (refused ? totals.refused : totals.failed).fetch_add(1);
      ADD_FAILURE() << "connect: " << client.connect_error();
      continue;
    }
    IoResult r = client.echo_pattern(seed++, 1024, std::chrono::seconds(5));
    if (!r.ok()) {
      totals.failed.fetch_add(1);
      ADD_FAILURE() << "echo: " << r.describe();
      continue;
    }
    totals.echoed.add();
  }
}

struct LoadTotals {
  uint64_t runs = 0;
  uint64_t failed_runs = 0;
  uint64_t msgs = 0;
  uint64_t errors = 0;
  std::string last_failure;
};

// weft-load runs of 0.3 s back to back, 8 fresh connections each.
void load(const Address& address, LoadTotals& totals, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    Program run(kLoad, {"--addr", address.to_string(), "--conns", "8", "--duration", "0.3", "--warmup", "0"});
    auto result = run.wait_line("RESULT ", std::chrono::seconds(20));
    auto status = run.wait_exit(std::chrono::seconds(20));
    ++totals.runs;
    if (!result || !status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      ++totals.failed_runs;
      totals.last_failure = run.output();
    }
    if (result) {
      totals.msgs += static_cast<uint64_t>(std::max(0L, number_after(*result, "msgs=")));
      totals.errors += static_cast<uint64_t>(std::max(0L, number_after(*result, "errors=")));
    }
  }
}

TEST(HotRestart, TwentyInARowUnderLoadRefuseNothingAndFailNothing) {
  become_subreaper();  // The old masters end up as this process's children.
  Program first(
      kEcho, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet", "--shutdown-timeout", "20"});
  Address address = master_address(first);
  ASSERT_TRUE(first.wait_line("generation 1 ready")) << first.output();

  std::atomic<bool> stop{false};
  ChurnTotals churned;
  LoadTotals loaded;
  std::vector<std::thread> clients;
  for (uint64_t i = 0; i < 2; ++i) clients.emplace_back([&, i] { churn(address, churned, stop, i << 40); });
  clients.emplace_back([&] { load(address, loaded, stop); });

  pid_t master = first.pid();
  std::vector<pid_t> old_masters;
  std::vector<long> ready_ms;
  for (int generation = 2; generation <= kRestarts + 1; ++generation) {
    size_t echoed_before = churned.echoed.value();
    ASSERT_EQ(::kill(master, SIGUSR2), 0);
    auto line = first.wait_line("hot restart: generation " + std::to_string(generation) + " (pid ");
    ASSERT_TRUE(line) << first.output();
    ASSERT_NE(line->find("ready after"), std::string::npos) << *line;
    old_masters.push_back(master);
    master = static_cast<pid_t>(number_after(*line, "(pid "));
    ready_ms.push_back(number_after(*line, "ready after "));
    // Some traffic is served between two restarts.
    ASSERT_TRUE(churned.echoed.wait_for(echoed_before + 20)) << first.output();
  }
  stop = true;
  for (auto& t : clients) t.join();

  ::kill(master, SIGTERM);
  int status = 0;
  ASSERT_TRUE(wait_gone(master, kWait, &status)) << first.output();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  for (pid_t old : old_masters) EXPECT_TRUE(wait_gone(old)) << "master " << old << " did not exit";

  std::sort(ready_ms.begin(), ready_ms.end());
  std::printf(
      "hot restarts %d: connections %llu (churn) + %llu weft-load runs x 8, refused %llu, failed %llu; requests "
      "%llu (weft-load) + %zu (churn), weft-load errors %llu; SIGUSR2 to new generation ready: min %ld ms, "
      "median %ld ms, max %ld ms\n",
      kRestarts, static_cast<unsigned long long>(churned.attempts.load()), static_cast<unsigned long long>(loaded.runs),
      static_cast<unsigned long long>(churned.refused.load()),
      static_cast<unsigned long long>(churned.failed.load() + loaded.failed_runs),
      static_cast<unsigned long long>(loaded.msgs), churned.echoed.value(),
      static_cast<unsigned long long>(loaded.errors), ready_ms.front(), ready_ms[ready_ms.size() / 2], ready_ms.back());
  EXPECT_EQ(churned.refused.load(), 0u);
  EXPECT_EQ(churned.failed.load(), 0u);
  EXPECT_EQ(loaded.errors, 0u);
  EXPECT_EQ(loaded.failed_runs, 0u) << loaded.last_failure;
  EXPECT_GE(loaded.runs, 1u);
  EXPECT_EQ(first.count_lines("hot restart failed"), 0u) << first.output();
}

// Copies weft-echo to a directory of the test's own, so the file at its path can change.
class Replaceable {
 public:
  Replaceable() {
    char tmpl[] = "/tmp/weft-upgrade-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/weft-echo";
    install_copy();
  }
  ~Replaceable() {
    ::unlink(path_.c_str());
    ::unlink((path_ + ".new").c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  // Renamed into place, as package managers do: the running binary is untouched.
  void install_script(const std::string& body) { install("#!/bin/sh\n" + body + "\n"); }
  void install_copy() {
    std::ifstream in(kEcho, std::ios::binary);
    install(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  }

 private:
  void install(const std::string& content) {
    std::string tmp = path_ + ".new";
    std::ofstream(tmp, std::ios::binary) << content;
    ::chmod(tmp.c_str(), 0755);
    ::rename(tmp.c_str(), path_.c_str());
  }
  std::string dir_;
  std::string path_;
};

TEST(HotRestart, ANewBinaryThatFailsToStartLeavesTheOldOneServing) {
  become_subreaper();
  Replaceable binary;
  Program master(binary.path(),
                 {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet", "--ready-timeout", "5"});
  Address address = master_address(master);
  ASSERT_TRUE(master.wait_line("generation 1 ready")) << master.output();
  auto expect_served = [&](uint64_t seed) {
    LoopbackClient client(address);
    ASSERT_TRUE(client.connected()) << client.connect_error();
    EXPECT_TRUE(client.echo_pattern(seed, 4096).ok());
  };

  // A new binary that never reports ready is killed after --ready-timeout (long enough
  // for the real binary under a sanitizer on a busy machine, used last).
  binary.install_script("exec sleep 60");
  master.signal(SIGUSR2);
  auto hung = master.wait_line("hot restart failed");
  ASSERT_TRUE(hung) << master.output();
  EXPECT_NE(hung->find("was not ready after 5000 ms; killed it; generation 1 keeps serving"), std::string::npos)
      << *hung;
  expect_served(1);

  // One that exits at once is noticed at once.
  binary.install_script("exit 3");
  master.signal(SIGUSR2);
  auto crashed = master.wait_line("hot restart failed");
  ASSERT_TRUE(crashed) << master.output();
  EXPECT_TRUE(crashed->find("exited with status 3") != std::string::npos ||
              crashed->find("closed its readiness pipe") != std::string::npos)
      << *crashed;
  expect_served(2);

  // The real binary back at the path: the restart picks it up and generation 2 serves.
  binary.install_copy();
  master.signal(SIGUSR2);
  auto done = master.wait_line("hot restart: generation 2 (pid ");
  ASSERT_TRUE(done) << master.output();
  ASSERT_NE(done->find("ready after"), std::string::npos) << *done;
  pid_t next = static_cast<pid_t>(number_after(*done, "(pid "));
  auto old_status = master.wait_exit();
  ASSERT_TRUE(old_status);
  EXPECT_TRUE(WIFEXITED(*old_status) && WEXITSTATUS(*old_status) == 0);
  expect_served(3);
  ::kill(next, SIGTERM);
  int status = 0;
  ASSERT_TRUE(wait_gone(next, kWait, &status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
}  // namespace weft::test
