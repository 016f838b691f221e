#pragma once
// LoadBalancer picks the I/O loop for each accepted connection. weft ships round-robin,
// least-connections and source-address hash; an application may supply its own. pick() is
// called on the acceptor thread only.

#include <cstddef>
#include <memory>
#include <span>

#include "weft/core/address.h"
#include "weft/net/server_options.h"

namespace weft {

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // connections[i] is the number of open connections on loop i (never empty).
  virtual size_t pick(const Address& remote, std::span<const size_t> connections) = 0;
};

std::unique_ptr<LoadBalancer> make_load_balancer(LoadBalancing policy);

}  // namespace weft
