#pragma once
// CachingResolver: what every resolver shares. It answers from its cache while an entry
// lives, merges concurrent queries for one name into a single lookup, and hands each
// caller its own copy of the addresses with the port it asked for. A subclass only looks
// names up. Loop thread only.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "weft/core/event_loop.h"
#include "weft/dns/resolver.h"

namespace weft::dns::detail {

class CachingResolver : public Resolver {
 public:
  CachingResolver(EventLoop& loop, const CacheOptions& options);
  ~CachingResolver() override;

  void resolve(const std::string& host, uint16_t port, Done done) final;

  // Lookups started (cache misses that were not merged into one in flight), for tests.
  uint64_t lookups() const { return lookups_; }

 protected:
  // What a lookup found: addresses (any port) and how long they may be kept, or an error.
  struct Answer {
    std::error_code error;
    std::vector<Address> addresses;
    Duration ttl = Duration::zero();
  };

  // Starts looking `host` up; the subclass then calls finish(host, answer) once, on the
  // loop thread, never inside lookup().
  virtual void lookup(const std::string& host) = 0;
  void finish(const std::string& host, Answer answer);
  // Null once the resolver is gone: for tasks the subclass posts.
  std::weak_ptr<CachingResolver*> token() const { return self_; }

  EventLoop& loop_;

 private:
  struct Entry {
    std::error_code error;
    std::vector<Address> addresses;
    TimePoint expires;
  };
  struct Waiter {
    uint16_t port;
    Done done;
  };

  void remember(const std::string& host, const Answer& answer);
  void evict();
  static void deliver(const Done& done, std::error_code error, const std::vector<Address>& addresses, uint16_t port);

  CacheOptions options_;
  std::unordered_map<std::string, Entry> cache_;
  std::unordered_map<std::string, std::vector<Waiter>> pending_;
  // Cache hits are delivered from a posted task, which checks that the resolver still
  // exists through this token.
  std::shared_ptr<CachingResolver*> self_;
  uint64_t lookups_ = 0;
};

// The address with another port (IPv4 and IPv6; others are returned as they are).
Address with_port(const Address& address, uint16_t port);

}  // namespace weft::dns::detail
