// Stop signals: a server in a child process with stop_signals {SIGUSR1} stops gracefully
// when the signal arrives: queued output is delivered, on_shutdown runs, wait() returns
// and the process exits normally. A second signal while it drains ends the draining at
// once. A CoroServer drains its coroutines first.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <string>

#include "child_process.h"
#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "weft/core/error.h"
#include "weft/coro/coro.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kReply = 4 * 1024 * 1024;
constexpr int kShutdownCalled = 0;
constexpr int kShutdownMissing = 5;
constexpr int kWrongCloseReason = 6;

// On "go" queues a large reply. Records what the stop looked like from the server.
class SignalledHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    if (conn.read(2) == "go") conn.write(make_pattern(21, kReply));
  }
  // Tells the parent once that the draining has begun.
  bool on_stopping(Conn&) override {
    if (!stopping_reported_.exchange(true)) write_report(report_fd, 1);
    return true;
  }
  void on_shutdown(Server&) override { shutdowns.add(); }
  Counter shutdowns;
  int report_fd = -1;

 private:
  std::atomic<bool> stopping_reported_{false};
};

// Stops on SIGUSR1; small socket buffers, and room for the whole reply in the output.
ServerOptions signalled_options(Duration shutdown_timeout = std::chrono::seconds(10)) {
  ServerOptions o;
  o.shutdown_timeout = shutdown_timeout;
  o.loops = 2;
  o.stop_signals = {SIGUSR1};
  o.send_buffer = 64 * 1024;
  o.max_outbound = 8 * 1024 * 1024;
  o.high_water_mark = 8 * 1024 * 1024;
  return o;
}

// Starts server on a free port, reports the port to the parent, and waits for the stop.
template <class S>
void serve_until_stopped(S& server, int report_fd) {
  server.listen("tcp://127.0.0.1:0");
  server.start();
  write_report(report_fd, server.address().port());
  server.wait();
}

int run_server(int report_fd, Duration shutdown_timeout) {
  SignalledHandler handler;
  handler.report_fd = report_fd;
  Server server(handler, signalled_options(shutdown_timeout));
  serve_until_stopped(server, report_fd);
  // Tell the parent how the stop went, then exit with it too.
  for (const CloseRecord& c : handler.close_records()) {
    if (c.reason != CloseReason::shutdown || c.error != Errc::shutdown) return kWrongCloseReason;
  }
  return handler.shutdowns.value() == 1 ? kShutdownCalled : kShutdownMissing;
}

int run_signalled_server(int report_fd) { return run_server(report_fd, std::chrono::seconds(10)); }
// Drains for up to a minute, far longer than any test waits.
int run_patient_server(int report_fd) { return run_server(report_fd, std::chrono::seconds(60)); }

// Connects to the child's server as a slow reader, asks for the large reply and reads its
// first bytes, which prove the reply is queued; the rest waits for this reader.
void start_slow_reader(ChildProcess& child, Address& address, LoopbackClient& client, std::string& head) {
  ASSERT_TRUE(child.started());
  std::optional<uint64_t> port = child.read_report();
  ASSERT_TRUE(port.has_value()) << "the child server did not start";
  address = Address::parse("tcp://127.0.0.1:" + std::to_string(*port));
  ClientOptions co;
  co.receive_buffer = 64 * 1024;
  client = LoopbackClient(address, co);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.send_all("go").ok());
  ASSERT_TRUE(client.read_exact(head, 1024).ok());
}

TEST(StopSignal, StopsGracefullyOnTheSignal) {
  ChildProcess child(run_signalled_server);  // Before any thread exists here.
  Address address;
  LoopbackClient client;
  std::string head;
  ASSERT_NO_FATAL_FAILURE(start_slow_reader(child, address, client, head));

  ASSERT_TRUE(child.signal(SIGUSR1));

  std::string rest;
  IoResult r = client.read_to_eof(rest);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(head.size() + rest.size(), kReply);
  EXPECT_EQ(find_pattern_mismatch(21, 0, head + rest), std::string::npos);

  std::optional<int> status = child.wait_exit();
  ASSERT_TRUE(status.has_value()) << "the child did not exit after the stop signal";
  ASSERT_TRUE(WIFEXITED(*status)) << "the child died: status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), kShutdownCalled);

  // Nothing listens any more.
  LoopbackClient late(address, {}, std::chrono::seconds(2));
  EXPECT_FALSE(late.connected());
}

TEST(StopSignal, ASecondSignalEndsTheDrainingAtOnce) {
  ChildProcess child(run_patient_server);
  Address address;
  LoopbackClient client;
  std::string head;
  ASSERT_NO_FATAL_FAILURE(start_slow_reader(child, address, client, head));

  // The first signal starts a drain that this client, reading nothing more, holds up.
  // Once the child reports the drain, a second signal cannot merge with the first.
  ASSERT_TRUE(child.signal(SIGUSR1));
  ASSERT_TRUE(child.read_report().has_value()) << "the draining did not begin";
  ASSERT_TRUE(child.signal(SIGUSR1));

  std::optional<int> status = child.wait_exit();
  ASSERT_TRUE(status.has_value()) << "the second signal did not end the draining";
  ASSERT_TRUE(WIFEXITED(*status)) << "the child died: status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), kShutdownCalled);
  std::string rest;
  client.read_to_eof(rest);
  EXPECT_LT(head.size() + rest.size(), kReply) << "the whole reply went out: the drain was not cut";
}

TEST(StopSignal, IdleServerStopsOnTheSignal) {
  ChildProcess child(run_signalled_server);
  ASSERT_TRUE(child.started());
  ASSERT_TRUE(child.read_report().has_value());
  ASSERT_TRUE(child.signal(SIGUSR1));
  std::optional<int> status = child.wait_exit();
  ASSERT_TRUE(status.has_value()) << "the child did not exit after the stop signal";
  ASSERT_TRUE(WIFEXITED(*status)) << "the child died: status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), kShutdownCalled);
}

// A CoroServer watches its stop signals itself: the signal cancels the coroutines first,
// while their connections are still open, so one can still say goodbye; then the Server's
// graceful stop delivers everything and the process exits.
int run_signalled_coro_server(int report_fd) {
  auto serve = [](Stream s) -> Task<> {
    auto go = co_await s.read_exact(2);
    if (!go || *go != "go") co_return;
    if (co_await s.write(make_pattern(21, kReply))) co_return;
    auto more = co_await s.read_some();  // Pending until the stop cancels it.
    if (more.error() == Errc::closed) co_await s.write("bye\n");
  };
  CoroServer server(serve, signalled_options());
  serve_until_stopped(server, report_fd);
  return server.coroutine_count() == 0 ? kShutdownCalled : kShutdownMissing;
}

TEST(StopSignal, CoroServerCancelsItsCoroutinesOnTheSignal) {
  ChildProcess child(run_signalled_coro_server);
  Address address;
  LoopbackClient client;
  std::string head;
  ASSERT_NO_FATAL_FAILURE(start_slow_reader(child, address, client, head));

  ASSERT_TRUE(child.signal(SIGUSR1));
  std::string rest;
  IoResult r = client.read_to_eof(rest);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  std::string all = head + rest;
  ASSERT_EQ(all.size(), kReply + 4);
  EXPECT_EQ(find_pattern_mismatch(21, 0, all.substr(0, kReply)), std::string::npos);
  EXPECT_EQ(all.substr(kReply), "bye\n");

  std::optional<int> status = child.wait_exit();
  ASSERT_TRUE(status.has_value()) << "the child did not exit after the stop signal";
  ASSERT_TRUE(WIFEXITED(*status)) << "the child died: status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), kShutdownCalled);
}

}  // namespace
}  // namespace weft::test
