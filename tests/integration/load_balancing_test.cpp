// Load balancing across I/O loops: round-robin, least-connections, source-address hash,
// reuse_port (the kernel spreads) and a custom LoadBalancer.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/load_balancer.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kLoops = 4;

// Records, per client port, the loop that opened the connection and every loop that
// served its traffic.
class LoopRecorder : public RecordingHandler {
 public:
  void on_boot(Server& server) override { server_ = &server; }
  void on_open(Conn& conn) override {
    {
      std::lock_guard lock(mutex_);
      opened_on_[conn.remote_address().port()] = loop_index(conn);
    }
    RecordingHandler::on_open(conn);
  }
  void on_traffic(Conn& conn) override {
    {
      std::lock_guard lock(mutex_);
      served_on_[conn.remote_address().port()].insert(loop_index(conn));
    }
    echo_all(conn);
  }
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    {
      std::lock_guard lock(mutex_);
      closed_on_[conn.remote_address().port()] = loop_index(conn);
    }
    RecordingHandler::on_close(conn, reason, error);
  }

  // The loop index of the connection from this client (-1 if unknown).
  int loop_of(const LoopbackClient& client) const {
    std::lock_guard lock(mutex_);
    auto it = opened_on_.find(client.local_address().port());
    return it == opened_on_.end() ? -1 : it->second;
  }
  std::set<int> served_on(const LoopbackClient& client) const {
    std::lock_guard lock(mutex_);
    auto it = served_on_.find(client.local_address().port());
    return it == served_on_.end() ? std::set<int>() : it->second;
  }
  std::vector<size_t> opens_per_loop() const {
    std::lock_guard lock(mutex_);
    std::vector<size_t> counts(server_->loop_count());
    for (auto& [port, loop] : opened_on_) ++counts[static_cast<size_t>(loop)];
    return counts;
  }

 private:
  int loop_index(Conn& conn) const {
    for (size_t i = 0; i < server_->loop_count(); ++i) {
      if (&server_->loop(i) == &conn.loop()) {
        EXPECT_TRUE(conn.loop().in_loop_thread());
        return static_cast<int>(i);
      }
    }
    ADD_FAILURE() << "connection on an unknown loop";
    return -1;
  }

  Server* server_ = nullptr;
  mutable std::mutex mutex_;
  std::map<uint16_t, int> opened_on_;
  std::map<uint16_t, std::set<int>> served_on_;
  std::map<uint16_t, int> closed_on_;
};

ServerOptions balanced(LoadBalancing policy) {
  ServerOptions o;
  o.loops = kLoops;
  o.load_balancing = policy;
  return o;
}

std::vector<LoopbackClient> connect_many(const Address& address, size_t n, const ClientOptions& co = {}) {
  std::vector<LoopbackClient> clients;
  for (size_t i = 0; i < n; ++i) {
    clients.emplace_back(address, co);
    EXPECT_TRUE(clients.back().connected()) << clients.back().connect_error();
  }
  return clients;
}

TEST(LoadBalancing, RoundRobinSpreadsEvenly) {
  LoopRecorder handler;
  ServerFixture fixture(handler, balanced(LoadBalancing::round_robin));
  std::vector<LoopbackClient> clients = connect_many(fixture.address(), 40);
  ASSERT_TRUE(handler.opened.wait_for(40));
  EXPECT_EQ(handler.opens_per_loop(), std::vector<size_t>(kLoops, 10));
  EXPECT_EQ(fixture.server().connections_per_loop(), std::vector<size_t>(kLoops, 10));
  EXPECT_EQ(fixture.server().connection_count(), 40u);
  for (size_t i = 0; i < clients.size(); ++i) {
    ASSERT_TRUE(clients[i].echo_pattern(i, 100).ok()) << "client " << i;
    EXPECT_EQ(handler.served_on(clients[i]), std::set<int>{handler.loop_of(clients[i])});
  }
}

TEST(LoadBalancing, LeastConnectionsRefillsTheEmptiedLoop) {
  LoopRecorder handler;
  ServerFixture fixture(handler, balanced(LoadBalancing::least_connections));
  std::vector<LoopbackClient> clients = connect_many(fixture.address(), 12);
  ASSERT_TRUE(handler.opened.wait_for(12));
  EXPECT_EQ(handler.opens_per_loop(), std::vector<size_t>(kLoops, 3));

  // Close every connection of loop 2 and wait until the loop has finished closing them.
  const int emptied = 2;
  size_t closed = 0;
  for (auto& c : clients) {
    if (handler.loop_of(c) == emptied) {
      c.close();
      ++closed;
    }
  }
  ASSERT_EQ(closed, 3u);
  ASSERT_EQ(handler.wait_closes(closed).size(), closed);
  ASSERT_TRUE(sync_with_loop(fixture.server().loop(emptied)));
  std::vector<size_t> expected(kLoops, 3);
  expected[emptied] = 0;
  EXPECT_EQ(fixture.server().connections_per_loop(), expected);

  // The next three connections all go to the emptied loop.
  std::vector<LoopbackClient> more = connect_many(fixture.address(), 3);
  ASSERT_TRUE(handler.opened.wait_for(15));
  for (auto& c : more) {
    EXPECT_EQ(handler.loop_of(c), emptied);
    EXPECT_TRUE(c.echo_pattern(1, 10).ok());
  }
  EXPECT_EQ(fixture.server().connections_per_loop(), std::vector<size_t>(kLoops, 3));
}

TEST(LoadBalancing, SourceHashKeepsEachClientAddressOnOneLoop) {
  LoopRecorder handler;
  ServerFixture fixture(handler, balanced(LoadBalancing::source_hash));
  std::set<int> loops_used;
  size_t total = 0;
  for (int host = 1; host <= 8; ++host) {
    ClientOptions co;
    co.bind_host = "127.0.0." + std::to_string(host);
    std::vector<LoopbackClient> clients = connect_many(fixture.address(), 10, co);
    total += clients.size();
    ASSERT_TRUE(handler.opened.wait_for(total));
    std::set<int> loops;
    for (auto& c : clients) {
      loops.insert(handler.loop_of(c));
      EXPECT_TRUE(c.echo_pattern(3, 10).ok());
    }
    EXPECT_EQ(loops.size(), 1u) << "connections from " << co.bind_host << " went to several loops";
    loops_used.insert(*loops.begin());
  }
  // Different source addresses do not all hash to one loop.
  EXPECT_GT(loops_used.size(), 1u);
}

TEST(LoadBalancing, ReusePortServesEveryConnectionOnExactlyOneLoop) {
  LoopRecorder handler;
  ServerOptions o = balanced(LoadBalancing::round_robin);
  o.reuse_port = true;
  ServerFixture fixture(handler, o);
  constexpr size_t kConnections = 100;
  std::vector<LoopbackClient> clients = connect_many(fixture.address(), kConnections);
  ASSERT_TRUE(handler.opened.wait_for(kConnections));
  size_t sum = 0;
  for (size_t n : fixture.server().connections_per_loop()) sum += n;
  EXPECT_EQ(sum, kConnections);
  for (size_t i = 0; i < clients.size(); ++i) {
    ASSERT_TRUE(clients[i].echo_pattern(i, 1000).ok()) << "client " << i;
    int loop = handler.loop_of(clients[i]);
    EXPECT_GE(loop, 0);
    EXPECT_EQ(handler.served_on(clients[i]), std::set<int>{loop}) << "client " << i;
  }
  clients.clear();
  auto closes = handler.wait_closes(kConnections);
  EXPECT_EQ(closes.size(), kConnections);
}

// Sends every connection to the last loop and remembers what it was shown.
class LastLoopBalancer : public LoadBalancer {
 public:
  size_t pick(const Address& remote, std::span<const size_t> connections) override {
    std::lock_guard lock(mutex_);
    ports.insert(remote.port());
    sizes.push_back(connections.size());
    return connections.size() - 1;
  }
  std::mutex mutex_;
  std::set<uint16_t> ports;
  std::vector<size_t> sizes;
};

TEST(LoadBalancing, CustomBalancerIsHonoured) {
  auto balancer = std::make_shared<LastLoopBalancer>();
  LoopRecorder handler;
  ServerOptions o = balanced(LoadBalancing::round_robin);
  o.load_balancer = balancer;
  ServerFixture fixture(handler, o);
  std::vector<LoopbackClient> clients = connect_many(fixture.address(), 20);
  ASSERT_TRUE(handler.opened.wait_for(20));
  EXPECT_EQ(handler.opens_per_loop(), (std::vector<size_t>{0, 0, 0, 20}));
  std::lock_guard lock(balancer->mutex_);
  EXPECT_EQ(balancer->sizes, std::vector<size_t>(20, kLoops));
  for (auto& c : clients) EXPECT_EQ(balancer->ports.count(c.local_address().port()), 1u);
}

}  // namespace
}  // namespace weft::test
