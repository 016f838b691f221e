// Reference echo server without a framework: level-triggered epoll, one loop
// per thread, each with its own SO_REUSEPORT listener on 127.0.0.1.
// Usage: epoll_echo PORT THREADS
//
// Per readable event: one read into a per-thread buffer and one write back.
// Only when the socket does not take everything are the leftover bytes copied
// into the connection; then EPOLLIN is swapped for EPOLLOUT until they are
// written, so a slow reader throttles its own connection and nothing is lost.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr int kMaxEvents = 256;

struct Conn {
  int fd;
  std::vector<char> pending;  // echo bytes the socket has not taken yet
  std::size_t sent = 0;       // of pending
};

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

int listen_on(unsigned short port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) die("SO_REUSEPORT");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (listen(fd, SOMAXCONN) != 0) die("listen");
  return fd;
}

void set_events(int ep, Conn* c, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = c;
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

void close_conn(Conn* c) {
  close(c->fd);  // also removes it from the epoll set
  delete c;
}

void accept_all(int lfd, int ep) {
  for (;;) {
    int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of descriptors: retried on the next event
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new Conn{fd, {}, 0};
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) close_conn(c);
  }
}

// Returns false when the connection is finished.
bool on_readable(Conn* c, int ep, char* buf) {
  ssize_t n = read(c->fd, buf, kReadBuffer);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  ssize_t w;
  do {
    w = write(c->fd, buf, static_cast<std::size_t>(n));
  } while (w < 0 && errno == EINTR);
  if (w == n) return true;
  if (w < 0) {
    if (errno != EAGAIN) return false;
    w = 0;
  }
  c->pending.assign(buf + w, buf + n);
  c->sent = 0;
  set_events(ep, c, EPOLLOUT);
  return true;
}

bool on_writable(Conn* c, int ep) {
  while (c->sent < c->pending.size()) {
    ssize_t w = write(c->fd, c->pending.data() + c->sent, c->pending.size() - c->sent);
    if (w > 0) {
      c->sent += static_cast<std::size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else {
      return w < 0 && errno == EAGAIN;
    }
  }
  std::vector<char>().swap(c->pending);
  c->sent = 0;
  set_events(ep, c, EPOLLIN);
  return true;
}

void serve(unsigned short port) {
  int lfd = listen_on(port);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the listener
  if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) die("epoll_ctl");

  std::vector<char> buf(kReadBuffer);
  epoll_event events[kMaxEvents];
  for (;;) {
    int n = epoll_wait(ep, events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Conn*>(events[i].data.ptr);
      if (c == nullptr) {
        accept_all(lfd, ep);
        continue;
      }
      // While bytes are pending only EPOLLOUT (and ERR/HUP) is armed.
      bool alive = c->pending.empty() ? on_readable(c, ep, buf.data()) : on_writable(c, ep);
      if (!alive) close_conn(c);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int threads = std::atoi(argv[2]);
  if (port <= 0 || port > 65535 || threads <= 0) {
    std::fprintf(stderr, "bad PORT or THREADS\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(serve, static_cast<unsigned short>(port));
  serve(static_cast<unsigned short>(port));
}
