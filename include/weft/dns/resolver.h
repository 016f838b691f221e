#pragma once
// Resolver: turns host names into addresses for one event loop without blocking it.
// Clients and the coroutine dial use one per loop; numeric addresses ("10.0.0.7",
// "[::1]") and Unix paths never reach it.
//
//   weft::ClientOptions o;
//   o.resolver = weft::dns::ares_resolver({.servers = "10.0.0.2"});
//
// Two resolvers come with weft:
// - ares_resolver(): c-ares driven by the loop's poller and one timer, caching each
//   answer for its DNS time to live. No thread, nothing blocks. The default.
// - system_resolver(): getaddrinfo(3) on helper threads, so the system's whole
//   configuration applies (nsswitch, mDNS, ...); getaddrinfo reports no time to live, so
//   answers are cached for a fixed time.
//
// Both cache answers (negative ones too, briefly) and merge concurrent queries for the
// same name into one.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "weft/core/address.h"
#include "weft/core/time.h"
#include "weft/dns/error.h"

namespace weft {

class EventLoop;

namespace dns {

class Resolver {
 public:
  using Done = std::function<void(std::error_code error, const std::vector<Address>& addresses)>;

  virtual ~Resolver() = default;

  // Looks up `host` (a name) and calls done exactly once, on the loop thread and never
  // inside resolve(), with its addresses (each with `port`) in the order to try them, or
  // with a dns::Errc. Loop thread only. Destroying the resolver drops the callbacks of the
  // queries still in flight without calling them.
  virtual void resolve(const std::string& host, uint16_t port, Done done) = 0;
};

// Makes the resolver of one loop; called on that loop's thread.
using ResolverFactory = std::function<std::unique_ptr<Resolver>(EventLoop&)>;

// How long answers are kept, for every resolver.
struct CacheOptions {
  size_t max_entries = 1024;                        // Names kept; 0 disables the cache.
  Duration max_ttl = std::chrono::hours(1);         // A longer time to live is cut to this.
  Duration negative_ttl = std::chrono::seconds(5);  // How long "no such name" is kept.
};

struct SystemResolverOptions {
  // getaddrinfo gives no time to live: an answer is kept this long.
  Duration ttl = std::chrono::seconds(30);
  CacheOptions cache{};
};

// getaddrinfo(3) on a helper thread (one per process, started by the first query).
ResolverFactory system_resolver(SystemResolverOptions options = {});

struct AresOptions {
  // Name servers, "host[:port]" separated by commas ("127.0.0.1:5353,[::1]:53"); empty:
  // those of /etc/resolv.conf. Throws std::invalid_argument when the resolver is made if
  // malformed.
  std::string servers{};
  Duration timeout = std::chrono::seconds(2);  // Per try, per server.
  int tries = 2;
  bool hosts_file = true;  // Look in /etc/hosts before asking the servers.
  CacheOptions cache{};
};

// c-ares on the loop: the loop watches its sockets and one timer drives its retries.
ResolverFactory ares_resolver(AresOptions options = {});

// The process-wide default, used by a Client whose options name no resolver and by the
// coroutine dial: ares_resolver() unless replaced. Set it at start-up, before any dial
// (it is read without a lock when a loop makes its resolver).
void set_default_resolver(ResolverFactory factory);
const ResolverFactory& default_resolver();

}  // namespace dns
}  // namespace weft
