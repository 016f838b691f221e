#include "dns/caching_resolver.h"

#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>

#include "weft/core/log.h"

namespace weft::dns::detail {
namespace {

// Host names compare without regard to case (RFC 4343).
std::string key_of(const std::string& host) {
  std::string key = host;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!key.empty() && key.back() == '.') key.pop_back();
  return key;
}

}  // namespace

Address with_port(const Address& address, uint16_t port) {
  sockaddr_storage ss{};
  std::memcpy(&ss, address.sockaddr_ptr(), address.length());
  if (address.family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(port);
  } else if (address.family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(port);
  }
  return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), address.length());
}

CachingResolver::CachingResolver(EventLoop& loop, const CacheOptions& options)
    : loop_(loop), options_(options), self_(std::make_shared<CachingResolver*>(this)) {}

CachingResolver::~CachingResolver() {
  *self_ = nullptr;
}

void CachingResolver::resolve(const std::string& host, uint16_t port, Done done) {
  std::string key = key_of(host);
  auto hit = cache_.find(key);
  if (hit != cache_.end() && hit->second.expires > loop_.now()) {
    // Answered from the cache, but still later: done never runs inside resolve().
    std::weak_ptr<CachingResolver*> self = self_;
    loop_.post([self, error = hit->second.error, addresses = hit->second.addresses, port, done = std::move(done)] {
      if (auto alive = self.lock(); alive && *alive != nullptr) deliver(done, error, addresses, port);
    });
    return;
  }
  auto [waiting, first] = pending_.try_emplace(key);
  waiting->second.push_back({port, std::move(done)});
  if (!first) return;  // A lookup for this name is in flight already.
  ++lookups_;
  lookup(key);
}

void CachingResolver::finish(const std::string& host, Answer answer) {
  if (!answer.error && answer.addresses.empty()) answer.error = make_error_code(Errc::no_address);
  remember(host, answer);
  auto it = pending_.find(host);
  if (it == pending_.end()) return;
  std::vector<Waiter> waiters = std::move(it->second);
  pending_.erase(it);
  // A waiter's callback may destroy this resolver (its client stopping): keep nothing
  // of it across the calls but the token.
  std::shared_ptr<CachingResolver*> self = self_;
  for (Waiter& w : waiters) {
    if (*self == nullptr) return;
    deliver(w.done, answer.error, answer.addresses, w.port);
  }
}

void CachingResolver::deliver(const Done& done, std::error_code error, const std::vector<Address>& addresses,
                              uint16_t port) {
  std::vector<Address> out;
  out.reserve(addresses.size());
  for (const Address& a : addresses) out.push_back(with_port(a, port));
  try {
    done(error, out);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "a name resolution callback threw: %s", e.what());
  } catch (...) {
    WEFT_LOG(LogLevel::error, "a name resolution callback threw a non-standard exception");
  }
}

void CachingResolver::remember(const std::string& host, const Answer& answer) {
  if (options_.max_entries == 0) return;
  Duration ttl;
  if (answer.error == Errc::name_not_found || answer.error == Errc::no_address) {
    ttl = options_.negative_ttl;  // Other failures are transient: the next query retries.
  } else if (answer.error) {
    return;
  } else {
    ttl = std::min(answer.ttl, options_.max_ttl);
  }
  if (ttl <= Duration::zero()) return;
  if (cache_.size() >= options_.max_entries && cache_.find(host) == cache_.end()) evict();
  cache_[host] = Entry{answer.error, answer.addresses, loop_.now() + ttl};
}

// Drops the expired entries; if none had expired, the one closest to expiring.
void CachingResolver::evict() {
  const TimePoint now = loop_.now();
  size_t before = cache_.size();
  std::erase_if(cache_, [now](const auto& kv) { return kv.second.expires <= now; });
  if (cache_.size() < before || cache_.empty()) return;
  auto soonest = std::min_element(cache_.begin(), cache_.end(),
                                  [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
  cache_.erase(soonest);
}

}  // namespace weft::dns::detail
