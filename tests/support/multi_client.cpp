#include "multi_client.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "payload.h"

namespace weft::test {
namespace {

struct Peer {
  int fd = -1;
  uint64_t seed = 0;
  size_t size = 0;
  size_t sent = 0;
  Checksum received;
  bool connected = false;
  bool done = false;
};

}  // namespace

MultiEchoReport run_multi_echo(const Address& server, const MultiEchoOptions& o) {
  MultiEchoReport report;
  TimePoint deadline = Clock::now() + o.timeout;
  std::vector<Peer> peers(o.connections);
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  auto fail = [&](Peer& p, size_t i, const std::string& why) {
    if (p.done) return;
    p.done = true;
    ++report.failure_count;
    if (report.failures.size() < 20) report.failures.push_back("connection " + std::to_string(i) + ": " + why);
    if (p.fd >= 0) {
      ::epoll_ctl(ep, EPOLL_CTL_DEL, p.fd, nullptr);
      ::close(p.fd);
      p.fd = -1;
    }
  };

  // Phase 1: connect every peer and wait until all are established.
  size_t pending = 0;
  for (size_t i = 0; i < peers.size(); ++i) {
    Peer& p = peers[i];
    p.seed = o.seed + i;
    size_t span = o.max_bytes - o.min_bytes + 1;
    p.size = o.min_bytes + (i * 7919) % span;
    p.fd = ::socket(server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p.fd < 0) {
      fail(p, i, std::string("socket: ") + std::strerror(errno));
      continue;
    }
    if (::connect(p.fd, server.sockaddr_ptr(), server.length()) == 0) {
      p.connected = true;
      ++report.connected;
    } else if (errno != EINPROGRESS) {
      fail(p, i, std::string("connect: ") + std::strerror(errno));
      continue;
    } else {
      ++pending;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, p.fd, &ev);
  }
  std::vector<epoll_event> events(256);
  while (pending > 0 && Clock::now() < deadline) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int k = 0; k < n; ++k) {
      size_t i = events[static_cast<size_t>(k)].data.u64;
      Peer& p = peers[i];
      if (p.connected || p.done) continue;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      --pending;
      if (err != 0) {
        fail(p, i, std::string("connect: ") + std::strerror(err));
        continue;
      }
      p.connected = true;
      ++report.connected;
      epoll_event ev{};
      ev.events = 0;  // Quiet until traffic starts.
      ev.data.u64 = i;
      ::epoll_ctl(ep, EPOLL_CTL_MOD, p.fd, &ev);
    }
  }
  for (size_t i = 0; i < peers.size(); ++i) {
    if (!peers[i].connected) fail(peers[i], i, "connect timed out");
  }
  report.all_open = report.connected;
  if (o.on_all_connected) o.on_all_connected();

  // Phase 2: every peer sends its pattern and reads the echo.
  size_t active = 0;
  for (size_t i = 0; i < peers.size(); ++i) {
    Peer& p = peers[i];
    if (p.done) continue;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, p.fd, &ev);
    ++active;
  }
  std::vector<char> buffer(64 * 1024);
  while (active > 0 && Clock::now() < deadline) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int k = 0; k < n; ++k) {
      size_t i = events[static_cast<size_t>(k)].data.u64;
      Peer& p = peers[i];
      if (p.done) continue;
      uint32_t ready = events[static_cast<size_t>(k)].events;
      if ((ready & EPOLLOUT) && p.sent < p.size) {
        size_t chunk = std::min(buffer.size(), p.size - p.sent);
        fill_pattern(p.seed, p.sent, std::span<char>(buffer.data(), chunk));
        ssize_t w = ::send(p.fd, buffer.data(), chunk, MSG_NOSIGNAL);
        if (w > 0) {
          p.sent += static_cast<size_t>(w);
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          fail(p, i, std::string("send: ") + std::strerror(errno));
          --active;
          continue;
        }
        if (p.sent == p.size) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = i;
          ::epoll_ctl(ep, EPOLL_CTL_MOD, p.fd, &ev);
        }
      }
      if (ready & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = ::recv(p.fd, buffer.data(), buffer.size(), 0);
        if (r > 0) {
          p.received.update(std::string_view(buffer.data(), static_cast<size_t>(r)));
          if (p.received.size() > p.size) {
            fail(p, i, "more bytes came back than were sent");
            --active;
          } else if (p.received.size() == p.size) {
            if (p.received.value() != pattern_checksum(p.seed, p.size)) {
              fail(p, i, "checksum mismatch over " + std::to_string(p.size) + " bytes");
            } else {
              ++report.completed;
              report.bytes_echoed += p.size;
              p.done = true;
              ::epoll_ctl(ep, EPOLL_CTL_DEL, p.fd, nullptr);
              ::close(p.fd);
              p.fd = -1;
            }
            --active;
          }
        } else if (r == 0) {
          fail(p, i, "eof after " + std::to_string(p.received.size()) + " of " + std::to_string(p.size) + " bytes");
          --active;
        } else if (errno != EAGAIN && errno != EINTR) {
          fail(p, i, std::string("recv: ") + std::strerror(errno));
          --active;
        }
      }
    }
  }
  for (size_t i = 0; i < peers.size(); ++i) {
    if (!peers[i].done) {
      fail(peers[i], i,
           "timed out with " + std::to_string(peers[i].received.size()) + " of " + std::to_string(peers[i].size) +
               " bytes back");
    }
  }
  ::close(ep);
  return report;
}

}  // namespace weft::test
