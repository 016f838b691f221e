// Pool: the per-endpoint limit, waiters served in order, the acquire deadline (the pool's
// and an explicit one), a pooled connection closed by the peer while idle never handed
// out, a refused endpoint passed over for a good one, a pool whose only endpoint refuses
// failing its waiters, min_idle kept warm (after start, after a loss, when an endpoint
// comes back), active health probes marking an endpoint down and up, and the endpoint
// list replaced at run time.

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ports.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/core/error.h"
#include "weft/net/pool.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Runs fn on the pool's loop and waits for its result.
template <class F>
auto on_loop(Pool& pool, F fn) -> decltype(fn()) {
  OnceValue<decltype(fn())> out;
  pool.loop().post([&] { out.set(fn()); });
  return *out.wait();
}

struct Got {
  Conn* conn;
  std::error_code error;
};

// Collects acquire results in the order they arrive.
class Results {
 public:
  Pool::Acquired slot() {
    return [this](Conn* c, std::error_code ec) {
      {
        std::lock_guard lock(mutex_);
        got_.push_back({c, ec});
      }
      count.add();
    };
  }
  Got at(size_t i) {
    std::lock_guard lock(mutex_);
    return got_.at(i);
  }
  Counter count;

 private:
  std::mutex mutex_;
  std::vector<Got> got_;
};

// Remembers its connections' handles so that the test can close them from the server side.
class Holder : public RecordingHandler {
 public:
  void on_open(Conn& c) override {
    {
      std::lock_guard lock(mutex_);
      handles_.push_back(c.handle());
    }
    RecordingHandler::on_open(c);
  }
  void close_all() {
    std::lock_guard lock(mutex_);
    for (ConnHandle& h : handles_) h.close();
  }
  void close_one(size_t i) {
    std::lock_guard lock(mutex_);
    handles_.at(i).close();
  }

 private:
  std::mutex mutex_;
  std::vector<ConnHandle> handles_;
};

// Endpoint state changes, in order, from PoolOptions::on_state_change.
class StateLog {
 public:
  std::function<void(const std::string&, bool)> hook() {
    return [this](const std::string& url, bool up) {
      {
        std::lock_guard lock(mutex_);
        log_.emplace_back(url, up);
      }
      count.add();
    };
  }
  std::vector<std::pair<std::string, bool>> log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  Counter count;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, bool>> log_;
};

TEST(Pool, LimitsPerEndpointAndServesWaitersInOrder) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Handler quiet;
  Pool pool(quiet, {server.address().to_string()}, {.max_per_endpoint = 2});
  pool.start();
  Results r;
  pool.loop().post([&] {
    for (int i = 0; i < 5; ++i) pool.acquire(r.slot());
  });
  ASSERT_TRUE(r.count.wait_for(2));
  PoolStats s = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_EQ(s.in_use, 2u);
  EXPECT_EQ(s.waiting, 3u);
  EXPECT_TRUE(echo.opened.wait_for(2));
  // Each release serves the oldest waiter with the released connection.
  for (size_t i = 0; i < 3; ++i) {
    Conn* c = r.at(i).conn;
    ASSERT_NE(c, nullptr);
    pool.loop().post([&pool, c] { pool.release(*c); });
    ASSERT_TRUE(r.count.wait_for(3 + i));
    EXPECT_EQ(r.at(2 + i).conn, c) << "waiter " << 2 + i;
  }
  // No more than the limit was ever dialed.
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(0).open; }), 2u);
  EXPECT_LE(echo.opened.value(), 2u);
  pool.stop();
  pool.wait();
}

TEST(Pool, AcquireDeadline) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Handler quiet;
  Pool pool(quiet, {server.address().to_string()}, {.max_per_endpoint = 1, .acquire_timeout = 100ms});
  pool.start();
  Results r;
  pool.loop().post([&] {
    pool.acquire(r.slot());
    pool.acquire(r.slot());
  });
  ASSERT_TRUE(r.count.wait_for(2));
  EXPECT_NE(r.at(0).conn, nullptr);
  EXPECT_EQ(r.at(1).conn, nullptr);
  EXPECT_EQ(r.at(1).error, Errc::timeout);
  pool.stop();
  pool.wait();
}

TEST(Pool, AnIdleConnectionClosedByThePeerIsNeverHandedOut) {
  Holder server_side;
  ServerFixture server(server_side);
  RecordingHandler mine;
  Pool pool(mine, {server.address().to_string()});
  pool.start();
  Results r;
  pool.loop().post([&] { pool.acquire(r.slot()); });
  ASSERT_TRUE(r.count.wait_for(1));
  Conn* first = r.at(0).conn;
  ASSERT_NE(first, nullptr);
  pool.loop().post([&] { pool.release(*first); });
  ASSERT_TRUE(server_side.opened.wait_for(1));  // Its handle is known: the server can close it.
  server_side.close_all();
  ASSERT_TRUE(mine.closed.wait_for(1));  // The pool heard of it while the connection was idle.
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(0).idle; }), 0u);
  pool.loop().post([&] { pool.acquire(r.slot()); });
  ASSERT_TRUE(r.count.wait_for(2));
  ASSERT_NE(r.at(1).conn, nullptr);
  EXPECT_TRUE(server_side.opened.wait_for(2));  // A fresh connection.
  pool.stop();
  pool.wait();
}

TEST(Pool, PassesOverARefusingEndpoint) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Handler quiet;
  Pool pool(quiet, {refused_url(), server.address().to_string()});
  pool.start();
  Results r;
  pool.loop().post([&] {
    for (int i = 0; i < 3; ++i) pool.acquire(r.slot());
  });
  ASSERT_TRUE(r.count.wait_for(3));
  for (size_t i = 0; i < 3; ++i) EXPECT_NE(r.at(i).conn, nullptr) << r.at(i).error.message();
  PoolStats bad = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_GE(bad.failures, 1u);
  EXPECT_TRUE(bad.down);
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(1).in_use; }), 3u);
  pool.stop();
  pool.wait();
}

TEST(Pool, OnlyEndpointRefusingFailsTheWaiters) {
  Handler quiet;
  Pool pool(quiet, {refused_url()});
  pool.start();
  Results r;
  pool.loop().post([&] { pool.acquire(r.slot()); });
  ASSERT_TRUE(r.count.wait_for(1));
  EXPECT_EQ(r.at(0).conn, nullptr);
  EXPECT_EQ(r.at(0).error, std::errc::connection_refused);
  pool.stop();
  pool.wait();
}

}  // namespace
}  // namespace weft::test

namespace weft::test {
namespace {

TEST(Pool, ExplicitAcquireDeadlineOverridesThePools) {
  RecordingHandler echo;
  ServerFixture server(echo);
  Handler quiet;
  Pool pool(quiet, {server.address().to_string()}, {.max_per_endpoint = 1, .acquire_timeout = 60s});
  pool.start();
  Results r;
  pool.loop().post([&] {
    pool.acquire(r.slot());
    pool.acquire(r.slot(), 50ms);
  });
  ASSERT_TRUE(r.count.wait_for(2, 10s));  // Long before the pool's own 60 s.
  EXPECT_NE(r.at(0).conn, nullptr);
  EXPECT_EQ(r.at(1).conn, nullptr);
  EXPECT_EQ(r.at(1).error, Errc::timeout);
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(0).waiting; }), 0u);
  pool.stop();
  pool.wait();
}

TEST(Pool, MinIdleIsDialedAtStartAndAfterALoss) {
  Holder server_side;
  ServerFixture server(server_side);
  RecordingHandler mine;
  Pool pool(mine, {server.address().to_string()}, {.max_per_endpoint = 4, .min_idle = 2});
  pool.start();
  // Warm without any acquire: on_open runs right before the dial completes, and a task
  // posted after it runs once the pool has counted the connection.
  ASSERT_TRUE(mine.opened.wait_for(2));
  PoolStats s = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.open, 2u);
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.dialing, 0u);
  ASSERT_TRUE(server_side.opened.wait_for(2));
  // The peer closes one: the pool drops it and dials a replacement.
  server_side.close_one(0);
  ASSERT_TRUE(mine.closed.wait_for(1));
  ASSERT_TRUE(mine.opened.wait_for(3));
  s = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.open, 2u);
  EXPECT_EQ(s.failures, 0u);
  // In use does not count as idle: taking one dials another to keep two idle.
  Results r;
  pool.loop().post([&] { pool.acquire(r.slot()); });
  ASSERT_TRUE(r.count.wait_for(1));
  ASSERT_NE(r.at(0).conn, nullptr);
  ASSERT_TRUE(mine.opened.wait_for(4));
  s = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.in_use, 1u);
  EXPECT_EQ(s.open, 3u);
  EXPECT_EQ(mine.opened.value(), 4u);
  pool.stop();
  pool.wait();
}

TEST(Pool, MinIdleWarmsAnEndpointThatComesBack) {
  const uint16_t port = unused_tcp_port();
  const std::string url = "tcp://127.0.0.1:" + std::to_string(port);
  RecordingHandler mine;
  StateLog states;
  Pool pool(mine, {url}, {.min_idle = 1, .acquire_timeout = 10s, .on_state_change = states.hook()});
  pool.start();
  // Nothing listens: the warm dial fails and marks the endpoint down.
  ASSERT_TRUE(states.count.wait_for(1));
  EXPECT_EQ(states.log()[0], std::make_pair(url, false));
  EXPECT_GE(on_loop(pool, [&] { return pool.stats(0).failures; }), 1u);
  // It comes back: after its backoff the pool dials it again and keeps one idle.
  RecordingHandler server_side;
  ServerFixture server(server_side, {}, url);
  ASSERT_TRUE(mine.opened.wait_for(1));
  ASSERT_TRUE(states.count.wait_for(2));
  EXPECT_EQ(states.log()[1], std::make_pair(url, true));
  PoolStats s = on_loop(pool, [&] { return pool.stats(0); });
  EXPECT_EQ(s.idle, 1u);
  EXPECT_FALSE(s.down);
  pool.stop();
  pool.wait();
}

TEST(Pool, HealthProbesMarkAnEndpointDownAndUp) {
  RecordingHandler good_side;
  ServerFixture good(good_side);
  const uint16_t port = unused_tcp_port();
  const std::string bad_url = "tcp://127.0.0.1:" + std::to_string(port);
  RecordingHandler mine;
  StateLog states;
  Pool pool(mine, {good.address().to_string(), bad_url},
            {.health_interval = 20ms, .on_state_change = states.hook()});
  pool.start();
  // The probe of the second endpoint fails: down, with no acquire ever made.
  ASSERT_TRUE(states.count.wait_for(1));
  EXPECT_EQ(states.log()[0], std::make_pair(bad_url, false));
  PoolStats bad = on_loop(pool, [&] { return pool.stats(1); });
  EXPECT_TRUE(bad.down);
  EXPECT_GE(bad.failures, 1u);
  // The good one is probed too: a connection that opens and closes at once.
  ASSERT_TRUE(good_side.opened.wait_for(1));
  EXPECT_GE(good_side.wait_closes(1).size(), 1u);
  // While down (and past its backoff) it is passed over: acquires go to the good one.
  Results r;
  pool.loop().post([&] {
    for (int i = 0; i < 3; ++i) pool.acquire(r.slot());
  });
  ASSERT_TRUE(r.count.wait_for(3));
  for (size_t i = 0; i < 3; ++i) EXPECT_NE(r.at(i).conn, nullptr) << r.at(i).error.message();
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(0).in_use; }), 3u);
  // It comes back: the next probe finds it and marks it up.
  RecordingHandler back_side;
  ServerFixture back(back_side, {}, bad_url);
  ASSERT_TRUE(states.count.wait_for(2));
  EXPECT_EQ(states.log()[1], std::make_pair(bad_url, true));
  EXPECT_FALSE(on_loop(pool, [&] { return pool.stats(1).down; }));
  ASSERT_TRUE(back_side.opened.wait_for(1));
  // Probes are the pool's own: its handler heard only the three acquired connections.
  EXPECT_EQ(mine.opened.value(), 3u);
  pool.stop();
  pool.wait();
}

}  // namespace
}  // namespace weft::test

namespace weft::test {
namespace {

TEST(Pool, EndpointsReplacedAtRunTime) {
  RecordingHandler old_side;
  ServerFixture old_server(old_side);
  RecordingHandler new_side;
  ServerFixture new_server(new_side);
  RecordingHandler mine;
  Pool pool(mine, {old_server.address().to_string()}, {.min_idle = 1});
  pool.start();
  ASSERT_TRUE(old_side.opened.wait_for(1));
  ASSERT_TRUE(mine.opened.wait_for(1));
  // The old endpoint's idle connection closes; the new one is warmed and serves.
  pool.loop().post([&] { pool.set_endpoints({new_server.address().to_string()}); });
  ASSERT_TRUE(old_side.closed.wait_for(1));
  ASSERT_TRUE(new_side.opened.wait_for(1));
  ASSERT_TRUE(mine.opened.wait_for(2));
  Results r;
  pool.loop().post([&] { pool.acquire(r.slot()); });
  ASSERT_TRUE(r.count.wait_for(1));
  ASSERT_NE(r.at(0).conn, nullptr);
  ASSERT_TRUE(mine.closed.wait_for(1));  // The pool's side of the old connection.
  ASSERT_TRUE(mine.opened.wait_for(3));  // Taken, and warmed again.
  EXPECT_EQ(on_loop(pool, [&] { return pool.endpoint_count(); }), 2u);
  EXPECT_EQ(on_loop(pool, [&] { return pool.stats(0).open; }), 0u);
  PoolStats s = on_loop(pool, [&] { return pool.stats(1); });
  EXPECT_EQ(s.in_use, 1u);
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(old_side.opened.value(), 1u);
  pool.stop();
  pool.wait();
}

}  // namespace
}  // namespace weft::test
