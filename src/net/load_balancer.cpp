#include "weft/net/load_balancer.h"

#include <algorithm>

namespace weft {
namespace {

class RoundRobin final : public LoadBalancer {
 public:
  size_t pick(const Address&, std::span<const size_t> connections) override {
    return next_++ % connections.size();
  }

 private:
  size_t next_ = 0;
};

class LeastConnections final : public LoadBalancer {
 public:
  // Ties go to the lowest index, so an idle group fills loop 0 first only by one.
  size_t pick(const Address&, std::span<const size_t> connections) override {
    return static_cast<size_t>(std::min_element(connections.begin(), connections.end()) - connections.begin());
  }
};

class SourceHash final : public LoadBalancer {
 public:
  size_t pick(const Address& remote, std::span<const size_t> connections) override {
    return remote.host_hash() % connections.size();
  }
};

}  // namespace

std::unique_ptr<LoadBalancer> make_load_balancer(LoadBalancing policy) {
  switch (policy) {
    case LoadBalancing::round_robin: return std::make_unique<RoundRobin>();
    case LoadBalancing::least_connections: return std::make_unique<LeastConnections>();
    case LoadBalancing::source_hash: return std::make_unique<SourceHash>();
  }
  return std::make_unique<RoundRobin>();
}

}  // namespace weft
