// Descriptor exhaustion (EMFILE): a server in a child process with RLIMIT_NOFILE = 64 is
// stormed with 200 connections. Those it cannot take are closed at once, not left
// hanging; the server does not spin while the storm lasts; once the storm clears it
// serves new connections; and it stops cleanly on SIGTERM.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include "child_process.h"
#include "loopback_client.h"
#include "recording_handler.h"
#include "weft/core/log.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr rlim_t kFileLimit = 64;
constexpr size_t kStorm = 200;

// The child: a one-loop echo server under a low descriptor limit.
int run_limited_server(int report_fd) {
  RecordingHandler handler;
  ServerOptions o;
  o.loops = 1;
  o.stop_signals = {SIGTERM};
  Server server(handler, o);
  server.listen("tcp://127.0.0.1:0");
  server.start();
  {
    // Serve one connection before lowering the limit: in sanitized builds, UBSan's first
    // check of each type probes memory through a pipe, which would fail under EMFILE and
    // be reported as a bad object. Later checks of the same types use its cache.
    LoopbackClient warm_up(server.address());
    if (!warm_up.connected() || !warm_up.echo_pattern(1, 100).ok()) return 4;
    warm_up.shutdown_write();
    std::string rest;
    if (warm_up.read_to_eof(rest).outcome != Outcome::eof) return 4;
    if (!handler.closed.wait_for(1)) return 4;
  }
  rlimit limit;
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = kFileLimit;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return 3;
  write_report(report_fd, server.address().port());
  ::close(report_fd);
  server.wait();
  return 0;
}

enum class Probe { served, refused, hung };

// Sends a byte and waits for its echo (served) or for the connection to end (refused).
Probe probe(LoopbackClient& c, Duration timeout) {
  if (!c.send_all("p", timeout).ok()) return Probe::refused;  // Reset already.
  char byte = 0;
  IoResult r = c.read_some(&byte, 1, timeout);
  if (r.ok()) return byte == 'p' ? Probe::served : Probe::hung;
  if (r.outcome == Outcome::eof || r.outcome == Outcome::reset) return Probe::refused;
  return Probe::hung;
}

TEST(DescriptorExhaustion, StormIsRefusedPromptlyWithoutSpinningAndServiceResumes) {
  // Fork first, before this process starts any thread.
  ChildProcess child(run_limited_server);
  ASSERT_TRUE(child.started());
  std::optional<uint64_t> port = child.read_report();
  ASSERT_TRUE(port.has_value()) << "the child server did not start";
  Address address = Address::parse("tcp://127.0.0.1:" + std::to_string(*port));

  // The storm: far more connections than the child has descriptors.
  std::vector<LoopbackClient> clients;
  for (size_t i = 0; i < kStorm; ++i) {
    clients.emplace_back(address, ClientOptions{}, seconds(10));
    ASSERT_TRUE(clients.back().connected()) << "connection " << i << ": " << clients.back().connect_error();
  }
  size_t served = 0, refused = 0;
  for (size_t i = 0; i < kStorm; ++i) {
    Probe p = probe(clients[i], seconds(10));
    ASSERT_NE(p, Probe::hung) << "connection " << i << " was neither served nor closed";
    (p == Probe::served ? served : refused)++;
  }
  EXPECT_GT(served, 0u);
  EXPECT_LT(served, static_cast<size_t>(kFileLimit));
  EXPECT_GE(refused, kStorm - kFileLimit);
  EXPECT_EQ(served + refused, kStorm);

  // While the served connections hold every descriptor, more connections keep coming: each
  // is refused promptly, and the child uses little CPU meanwhile.
  Duration cpu_before = child.cpu_time();
  TimePoint start = Clock::now();
  // A fixed number of late connections, not a fixed time, so a loaded machine slows the
  // trickle down instead of failing the count.
  constexpr size_t kLate = 20;
  size_t late_refused = 0;
  while (late_refused < kLate) {
    LoopbackClient late(address, ClientOptions{}, seconds(5));
    ASSERT_TRUE(late.connected()) << late.connect_error();
    IoResult r = late.wait_closed(seconds(5));
    EXPECT_TRUE(r.outcome == Outcome::eof || r.outcome == Outcome::reset) << r.describe();
    ++late_refused;
    ::poll(nullptr, 0, 20);  // Part of the scenario: a steady trickle.
  }
  Duration elapsed = Clock::now() - start;
  Duration cpu = child.cpu_time() - cpu_before;
  EXPECT_LT(cpu, elapsed / 2) << "the child used " << std::chrono::duration_cast<milliseconds>(cpu).count()
                              << " ms of CPU in " << std::chrono::duration_cast<milliseconds>(elapsed).count() << " ms";
  EXPECT_EQ(late_refused, kLate);
  RecordProperty("served", static_cast<int>(served));
  RecordProperty("refused", static_cast<int>(refused));
  RecordProperty("child_cpu_ms", static_cast<int>(std::chrono::duration_cast<milliseconds>(cpu).count()));

  // The storm clears; a new connection is served (retried while the child catches up with
  // the closes).
  clients.clear();
  bool echoed = false;
  for (TimePoint until = Clock::now() + seconds(10); !echoed && Clock::now() < until;) {
    LoopbackClient fresh(address, ClientOptions{}, seconds(5));
    if (!fresh.connected()) continue;
    IoResult r = fresh.echo_pattern(9, 100 * 1024, seconds(5));
    echoed = r.ok();
    if (!echoed) ::poll(nullptr, 0, 20);
  }
  EXPECT_TRUE(echoed) << "no connection was served after the storm cleared";

  // SIGTERM stops the child cleanly.
  ASSERT_TRUE(child.signal(SIGTERM));
  std::optional<int> status = child.wait_exit();
  ASSERT_TRUE(status.has_value()) << "the child did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status)) << "status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace weft::test
