// Pool: the per-endpoint limit, waiters served in order, the acquire deadline, a pooled
// connection closed by the peer while idle never handed out, a refused endpoint passed
// over for a good one, and a pool whose only endpoint refuses failing its waiters.

#include <gtest/gtest.h>

#include <mutex>
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

 private:
  std::mutex mutex_;
  std::vector<ConnHandle> handles_;
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
