// The built-in load balancing policies, on their own.

#include "weft/net/load_balancer.h"

#include <gtest/gtest.h>

#include <vector>

namespace weft {
namespace {

Address from(const char* url) {
  return Address::parse(url);
}

TEST(RoundRobin, CyclesThroughEveryLoopInOrder) {
  auto lb = make_load_balancer(LoadBalancing::round_robin);
  std::vector<size_t> loads = {5, 0, 9};
  std::vector<size_t> picks;
  for (int i = 0; i < 7; ++i) picks.push_back(lb->pick(from("tcp://127.0.0.1:1000"), loads));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(RoundRobin, SingleLoopAlwaysPicksIt) {
  auto lb = make_load_balancer(LoadBalancing::round_robin);
  std::vector<size_t> loads = {3};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(lb->pick(from("tcp://127.0.0.1:1"), loads), 0u);
}

TEST(LeastConnections, PicksTheLeastLoadedLowestIndexOnTies) {
  auto lb = make_load_balancer(LoadBalancing::least_connections);
  Address a = from("tcp://127.0.0.1:1");
  EXPECT_EQ(lb->pick(a, std::vector<size_t>{0, 0, 0, 0}), 0u);
  EXPECT_EQ(lb->pick(a, std::vector<size_t>{1, 0, 0, 0}), 1u);
  EXPECT_EQ(lb->pick(a, std::vector<size_t>{4, 3, 2, 2}), 2u);
  EXPECT_EQ(lb->pick(a, std::vector<size_t>{4, 3, 2, 1}), 3u);
}

TEST(SourceHash, SameHostSameLoopWhateverThePort) {
  auto lb = make_load_balancer(LoadBalancing::source_hash);
  std::vector<size_t> loads = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t first = lb->pick(from("tcp://10.1.2.3:1111"), loads);
  for (int port = 1; port < 60000; port += 997) {
    EXPECT_EQ(lb->pick(from(("tcp://10.1.2.3:" + std::to_string(port)).c_str()), loads), first);
  }
  std::vector<size_t> busy = {9, 9, 9, 9, 9, 9, 9, 0};
  EXPECT_EQ(lb->pick(from("tcp://10.1.2.3:5"), busy), first) << "source hash must ignore load";
}

TEST(SourceHash, SpreadsDifferentHosts) {
  auto lb = make_load_balancer(LoadBalancing::source_hash);
  std::vector<size_t> loads(4, 0);
  std::vector<size_t> per_loop(4, 0);
  for (int host = 0; host < 256; ++host) {
    std::string url = "tcp://192.168.7." + std::to_string(host) + ":80";
    size_t pick = lb->pick(from(url.c_str()), loads);
    ASSERT_LT(pick, 4u);
    ++per_loop[pick];
  }
  for (size_t n : per_loop) EXPECT_GT(n, 16u) << "256 hosts hash unevenly";
  size_t v6 = lb->pick(from("tcp://[::1]:80"), loads);
  EXPECT_LT(v6, 4u);
  EXPECT_EQ(lb->pick(from("tcp://[::1]:81"), loads), v6);
}

}  // namespace
}  // namespace weft
