#include "dns_responder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace weft::test {
namespace {

constexpr uint16_t kTypeA = 1;

void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

uint16_t get16(const std::string& s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) | static_cast<uint8_t>(s[at + 1]));
}

}  // namespace

DnsResponder::DnsResponder() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    throw std::runtime_error("DnsResponder: cannot bind a UDP port");
  }
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  timeval tv{0, 50000};  // The thread looks at stop_ this often.
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  thread_ = std::thread([this] { run(); });
}

DnsResponder::~DnsResponder() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void DnsResponder::set(const std::string& name, const std::string& ipv4, uint32_t ttl) {
  std::lock_guard lock(mutex_);
  records_[name] = {ipv4, ttl};
}

std::string DnsResponder::server() const {
  return "127.0.0.1:" + std::to_string(port_);
}

size_t DnsResponder::queries(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = queries_.find(name);
  return it == queries_.end() ? 0 : it->second;
}

void DnsResponder::run() {
  char buf[1500];
  while (!stop_) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 12) continue;
    std::string reply = answer(std::string(buf, static_cast<size_t>(n)));
    if (!reply.empty()) ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

// One question in, its answer out (empty for a packet that is not a plain query).
std::string DnsResponder::answer(const std::string& q) {
  if (get16(q, 4) != 1) return {};
  std::string name;
  size_t at = 12;
  while (at < q.size() && q[at] != 0) {
    size_t label = static_cast<uint8_t>(q[at]);
    if (label > 63 || at + 1 + label > q.size()) return {};
    if (!name.empty()) name += '.';
    name.append(q, at + 1, label);
    at += 1 + label;
  }
  if (at + 5 > q.size()) return {};
  uint16_t type = get16(q, at + 1);
  size_t question_end = at + 5;

  std::string ip;
  uint32_t ttl = 0;
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    if (type == kTypeA) ++queries_[name];
    if (auto it = records_.find(name); it != records_.end()) {
      known = true;
      ip = it->second.first;
      ttl = it->second.second;
    }
  }
  std::string r = q.substr(0, 2);                                                      // The query's id.
  put16(r, static_cast<uint16_t>(0x8500 | (get16(q, 2) & 0x0100) | (known ? 0 : 3)));  // QR AA RD, NXDOMAIN.
  put16(r, 1);
  put16(r, known && type == kTypeA ? 1 : 0);
  put16(r, 0);
  put16(r, 0);
  r.append(q, 12, question_end - 12);
  if (known && type == kTypeA) {
    put16(r, 0xc00c);  // The name: a pointer to the question's.
    put16(r, kTypeA);
    put16(r, 1);
    put16(r, static_cast<uint16_t>(ttl >> 16));
    put16(r, static_cast<uint16_t>(ttl & 0xffff));
    put16(r, 4);
    in_addr a{};
    ::inet_pton(AF_INET, ip.c_str(), &a);
    r.append(reinterpret_cast<const char*>(&a), 4);
  }
  return r;
}

}  // namespace weft::test
