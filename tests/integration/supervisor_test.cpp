// weft::Supervisor through weft-echo --workers: a real master and real worker processes.
// A killed worker is restarted; a worker that cannot start is given up after a few tries
// and the master exits 1; a stop lets connections in flight receive every queued byte and
// the master exits 0; SIGHUP reaches every worker. Every wait is for a log line, a
// connection or an exit, with a deadline.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "core/socket.h"
#include "loopback_client.h"
#include "program.h"

namespace weft::test {
namespace {

const std::string kEcho = WEFT_ECHO_PATH;

void expect_echo(const Address& address, uint64_t seed) {
  LoopbackClient client(address);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  IoResult r = client.echo_pattern(seed, 64 * 1024);
  EXPECT_TRUE(r.ok()) << r.describe();
}

void expect_clean_exit(Program& master) {
  auto status = master.wait_exit();
  ASSERT_TRUE(status) << "the master did not exit\n" << master.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status << "\n" << master.output();
}

TEST(Supervisor, RestartsAKilledWorker) {
  Program master(kEcho, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet"});
  Address address = master_address(master);
  auto first = master.wait_line("worker 0 pid ");
  ASSERT_TRUE(first) << master.output();
  ASSERT_TRUE(master.wait_line("generation 1 ready")) << master.output();
  expect_echo(address, 1);

  kill_worker_zero(master, *first);
  if (::testing::Test::HasFatalFailure()) return;
  auto back = master.wait_line("restarts 1");
  ASSERT_TRUE(back) << master.output();
  EXPECT_NE(back->find("worker 0 pid"), std::string::npos) << *back;
  auto ready = master.wait_line("ready (");
  ASSERT_TRUE(ready) << master.output();
  EXPECT_NE(ready->find("restarts 1"), std::string::npos) << *ready;
  expect_echo(address, 2);

  master.signal(SIGTERM);
  expect_clean_exit(master);
  EXPECT_EQ(master.count_lines("stopped (exited with status 0)"), 2u) << master.output();
}

TEST(Supervisor, GivesUpOnAWorkerThatKeepsFailingToStart) {
  // The port is taken by a socket without SO_REUSEPORT, so every worker's bind fails.
  std::error_code ec;
  int blocker = detail::listen_socket(Address::parse("tcp://127.0.0.1:0"), {}, ec);
  ASSERT_GE(blocker, 0) << ec.message();
  std::string url = detail::local_address(blocker).to_string();
  Program master(kEcho, {"--workers", "2", "--loops", "1", "--reuseport", "--addr", url, "--quiet"});
  auto status = master.wait_exit();
  ::close(blocker);
  ASSERT_TRUE(status) << master.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << "status " << *status << "\n" << master.output();
  EXPECT_EQ(master.count_lines("5 start-up failures in a row; not restarting it"), 2u) << master.output();
  EXPECT_EQ(master.count_lines("every worker failed to start"), 1u) << master.output();
  EXPECT_GE(master.count_lines("Address already in use"), 10u) << master.output();
}

TEST(Supervisor, StopDeliversEveryQueuedByteToConnectionsInFlight) {
  Program master(kEcho, {"--workers", "1", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet"});
  Address address = master_address(master);
  ASSERT_TRUE(master.wait_line("generation 1 ready")) << master.output();
  ClientOptions small_window;
  small_window.receive_buffer = 64 * 1024;
  LoopbackClient client(address, small_window);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  // Four MiB sent and not yet read back: most of the echo waits in the worker's queue.
  constexpr size_t kSize = 4 * 1024 * 1024;
  std::string payload(kSize, '\0');
  for (size_t i = 0; i < kSize; ++i) payload[i] = static_cast<char>('a' + i % 23);
  std::thread sender([&] { EXPECT_TRUE(client.send_all(payload).ok()); });
  std::string back;
  ASSERT_TRUE(client.read_exact(back, 1024).ok());
  master.signal(SIGTERM);
  ASSERT_TRUE(master.wait_line("stopping 1 workers")) << master.output();
  std::string rest;
  IoResult r = client.read_exact(rest, kSize - 1024);
  sender.join();
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(back + rest == payload) << "the echo differs from what was sent";
  client.close();
  expect_clean_exit(master);
}

TEST(Supervisor, PassesSighupToEveryWorker) {
  Program master(kEcho, {"--workers", "3", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet"});
  ASSERT_TRUE(master.wait_line("generation 1 ready")) << master.output();
  master.signal(SIGHUP);
  ASSERT_TRUE(master.wait_line("SIGHUP: reloading 3 workers")) << master.output();
  // One line from each worker (the master's own says "no --log-level-file)" alone).
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(master.wait_line("SIGHUP: nothing to reload (no --log-level-file, no --tls-cert)")) << master.output();
  }
  master.signal(SIGINT);
  expect_clean_exit(master);
}

}  // namespace
}  // namespace weft::test
