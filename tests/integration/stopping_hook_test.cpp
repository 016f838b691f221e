// on_stopping: when a graceful stop begins, every open connection on every loop hears it
// before the deadline, may say goodbye, and either closes once flushed (true) or finishes
// its work in flight and closes itself (false).

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

// Says goodbye to everyone; the connection that sent "busy" answers 50 ms later first.
class Goodbye : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    if (conn.read() == "busy") {
      std::lock_guard lock(mutex_);
      busy_ = conn.handle();
    }
  }
  bool on_stopping(Conn& conn) override {
    bool busy = false;
    {
      std::lock_guard lock(mutex_);
      loops_.insert(&conn.loop());
      busy = conn.handle() == busy_;
    }
    stopping.add();
    conn.write("bye\n");
    if (!busy) return true;
    conn.loop().run_after(std::chrono::milliseconds(50), [h = conn.handle()] {
      h.post([](Conn& c) {
        c.write("finished\n");
        c.close();
      });
    });
    return false;
  }
  size_t loops_seen() {
    std::lock_guard lock(mutex_);
    return loops_.size();
  }
  Counter stopping;

 private:
  std::mutex mutex_;
  ConnHandle busy_;  // Guarded by mutex_.
  std::set<EventLoop*> loops_;
};

TEST(StoppingHook, EveryConnectionHearsItAndMayFinishFirst) {
  Goodbye handler;
  ServerOptions o;
  o.loops = 2;
  o.shutdown_timeout = std::chrono::seconds(10);
  ServerFixture fixture(handler, o);
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<LoopbackClient>(fixture.address()));
    ASSERT_TRUE(clients.back()->connected());
  }
  ASSERT_TRUE(handler.opened.wait_for(4));
  ASSERT_TRUE(clients[0]->send_all("busy").ok());
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(0)));
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(1)));

  std::thread stopper([&] { fixture.stop(); });
  std::string busy_reply;
  EXPECT_EQ(clients[0]->read_to_eof(busy_reply).outcome, Outcome::eof);
  EXPECT_EQ(busy_reply, "bye\nfinished\n");
  for (size_t i = 1; i < clients.size(); ++i) {
    std::string reply;
    EXPECT_EQ(clients[i]->read_to_eof(reply).outcome, Outcome::eof);
    EXPECT_EQ(reply, "bye\n");
  }
  stopper.join();
  EXPECT_EQ(handler.stopping.value(), 4u);
  EXPECT_EQ(handler.loops_seen(), 2u) << "on_stopping ran on every loop";
}

// Finishes every connection itself: an echo that lets each client end its connection.
class FinishingEcho : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override { conn.write(conn.read()); }
  bool on_stopping(Conn&) override {
    stopping.add();
    return false;
  }
  Counter stopping;
};

TEST(StoppingHook, AConnectionTheHandlerFinishesKeepsReading) {
  FinishingEcho handler;
  ServerOptions o;
  o.loops = 1;
  o.shutdown_timeout = std::chrono::seconds(10);
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(handler.opened.wait_for(1));
  std::thread stopper([&] { fixture.stop(); });
  ASSERT_TRUE(handler.stopping.wait_for(1));
  // Sent after the stop began, and still answered.
  IoResult r = client.echo_pattern(7, 256 * 1024);
  EXPECT_TRUE(r.ok()) << r.describe();
  client.shutdown_write();
  std::string rest;
  EXPECT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_TRUE(rest.empty());
  stopper.join();
}

}  // namespace
}  // namespace weft::test
