#pragma once
// DnsResponder: a tiny authoritative DNS server on a loopback UDP port, run by a test on
// a thread of its own, so that a resolver can be pointed at it. It answers A queries for
// the names it was given (with their time to live), an empty answer for other types of a
// known name, and NXDOMAIN for every other name. It counts the queries per name.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace weft::test {

class DnsResponder {
 public:
  DnsResponder();  // Binds 127.0.0.1:0 and starts answering.
  ~DnsResponder();
  DnsResponder(const DnsResponder&) = delete;
  DnsResponder& operator=(const DnsResponder&) = delete;

  // Adds or replaces a name's IPv4 address. Any thread.
  void set(const std::string& name, const std::string& ipv4, uint32_t ttl);
  // "127.0.0.1:port", for dns::AresOptions::servers.
  std::string server() const;
  // A queries received for `name`.
  size_t queries(const std::string& name) const;

 private:
  void run();
  std::string answer(const std::string& query);

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::string, uint32_t>> records_;
  std::map<std::string, size_t> queries_;
  std::thread thread_;
};

}  // namespace weft::test
