#include "loopback_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "payload.h"

namespace weft::test {
namespace {

int remaining_ms(TimePoint deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

// Polls fd for events until the deadline; returns the revents, or 0 on timeout.
short wait_for(int fd, short events, TimePoint deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ms = remaining_ms(deadline);
    int n = ::poll(&p, 1, ms);
    if (n > 0) return p.revents;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && ms > 0) continue;  // Woke a little early; the deadline decides.
    return 0;
  }
}

IoResult failure(int e, size_t bytes) {
  IoResult r;
  r.bytes = bytes;
  r.error = e;
  r.outcome = e == ECONNRESET || e == EPIPE ? Outcome::reset : Outcome::error;
  return r;
}

IoResult end(Outcome outcome, size_t bytes) {
  IoResult r;
  r.outcome = outcome;
  r.bytes = bytes;
  return r;
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::eof: return "eof";
    case Outcome::reset: return "reset";
    case Outcome::timeout: return "timeout";
    case Outcome::error: return "error";
  }
  return "?";
}

std::string IoResult::describe() const {
  std::string s = std::string(to_string(outcome)) + " after " + std::to_string(bytes) + " bytes";
  if (error != 0) s += " (" + std::string(std::strerror(error)) + ")";
  return s;
}

LoopbackClient::LoopbackClient(const Address& server, const ClientOptions& options, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  int fd = ::socket(server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    connect_error_ = std::string("socket: ") + std::strerror(errno);
    return;
  }
  auto fail = [&](const char* what, int e) {
    connect_error_ = std::string(what) + ": " + std::strerror(e);
    ::close(fd);
  };
  if (options.receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer, sizeof options.receive_buffer);
  }
  if (options.send_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &options.send_buffer, sizeof options.send_buffer);
  }
  if (!options.bind_host.empty()) {
    Address local = Address::parse("tcp://" + options.bind_host + ":0");
    if (::bind(fd, local.sockaddr_ptr(), local.length()) < 0) {
      fail("bind", errno);
      return;
    }
  }
  if (server.is_unix()) {
    // A non-blocking Unix connect fails with EAGAIN when the backlog is full instead of
    // waiting, so connect in blocking mode with a send timeout as the bound.
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    timeval tv{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int rc = ::connect(fd, server.sockaddr_ptr(), server.length());
    int e = errno;
    timeval zero{};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, sizeof zero);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (rc < 0) {
      fail("connect", e);
      return;
    }
  } else if (::connect(fd, server.sockaddr_ptr(), server.length()) < 0) {
    if (errno != EINPROGRESS) {
      fail("connect", errno);
      return;
    }
    if (wait_for(fd, POLLOUT, deadline) == 0) {
      fail("connect", ETIMEDOUT);
      return;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      fail("connect", err);
      return;
    }
  }
  fd_ = fd;
}

LoopbackClient::LoopbackClient(LoopbackClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), connect_error_(std::move(other.connect_error_)) {}

LoopbackClient& LoopbackClient::operator=(LoopbackClient&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    connect_error_ = std::move(other.connect_error_);
  }
  return *this;
}

Address LoopbackClient::local_address() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

IoResult LoopbackClient::send_all(std::string_view bytes, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return failure(errno, sent);
    if (wait_for(fd_, POLLOUT, deadline) == 0) return end(Outcome::timeout, sent);
  }
  return end(Outcome::ok, sent);
}

IoResult LoopbackClient::read_some(char* out, size_t max, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  for (;;) {
    ssize_t n = ::recv(fd_, out, max, 0);
    if (n > 0) return end(Outcome::ok, static_cast<size_t>(n));
    if (n == 0) return end(Outcome::eof, 0);
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return failure(errno, 0);
    if (wait_for(fd_, POLLIN, deadline) == 0) return end(Outcome::timeout, 0);
  }
}

IoResult LoopbackClient::read_exact(char* out, size_t n, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  size_t got = 0;
  while (got < n) {
    IoResult r = read_some(out + got, n - got, deadline - Clock::now());
    if (!r.ok()) {
      r.bytes = got;
      return r;
    }
    got += r.bytes;
  }
  return end(Outcome::ok, got);
}

IoResult LoopbackClient::read_exact(std::string& out, size_t n, Duration timeout) {
  out.resize(n);
  IoResult r = read_exact(out.data(), n, timeout);
  out.resize(r.bytes);
  return r;
}

IoResult LoopbackClient::read_to_eof(std::string& out, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  char chunk[64 * 1024];
  size_t got = 0;
  for (;;) {
    IoResult r = read_some(chunk, sizeof chunk, deadline - Clock::now());
    if (r.outcome == Outcome::eof) return end(Outcome::eof, got);
    if (!r.ok()) {
      r.bytes = got;
      return r;
    }
    out.append(chunk, r.bytes);
    got += r.bytes;
  }
}

IoResult LoopbackClient::wait_closed(Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  char chunk[16 * 1024];
  size_t got = 0;
  for (;;) {
    IoResult r = read_some(chunk, sizeof chunk, deadline - Clock::now());
    if (!r.ok()) {
      r.bytes = got;
      return r;
    }
    got += r.bytes;
  }
}

IoResult LoopbackClient::echo_pattern(uint64_t seed, size_t size, Duration timeout) {
  TimePoint deadline = Clock::now() + timeout;
  std::vector<char> out(64 * 1024);
  std::vector<char> in(64 * 1024);
  size_t out_len = 0;
  size_t out_pos = 0;
  size_t sent = 0;
  PatternVerifier verifier(seed);
  while (verifier.received() < size) {
    if (out_pos == out_len && sent < size) {
      out_len = std::min(out.size(), size - sent);
      fill_pattern(seed, sent, std::span<char>(out.data(), out_len));
      out_pos = 0;
    }
    short want = POLLIN;
    if (out_pos < out_len) want |= POLLOUT;
    short ready = wait_for(fd_, want, deadline);
    if (ready == 0) return end(Outcome::timeout, verifier.received());
    if (ready & POLLOUT) {
      ssize_t n = ::send(fd_, out.data() + out_pos, out_len - out_pos, MSG_NOSIGNAL);
      if (n > 0) {
        out_pos += static_cast<size_t>(n);
        sent += static_cast<size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return failure(errno, verifier.received());
      }
    }
    if (ready & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(fd_, in.data(), in.size(), 0);
      if (n > 0) {
        size_t room = size - verifier.received();
        verifier.feed(std::string_view(in.data(), std::min(room, static_cast<size_t>(n))));
        if (static_cast<size_t>(n) > room) {
          IoResult r = end(Outcome::error, size);  // More bytes came back than were sent.
          return r;
        }
      } else if (n == 0) {
        return end(Outcome::eof, verifier.received());
      } else if (errno != EAGAIN && errno != EINTR) {
        return failure(errno, verifier.received());
      }
    }
  }
  if (!verifier.ok()) return end(Outcome::error, verifier.first_mismatch());
  return end(Outcome::ok, size);
}

BackgroundSend::BackgroundSend(LoopbackClient& client, std::string bytes, Duration timeout, bool shutdown_after)
    : client_(client), bytes_(std::move(bytes)) {
  thread_ = std::thread([this, timeout, shutdown_after] {
    result_ = client_.send_all(bytes_, timeout);
    if (shutdown_after) client_.shutdown_write();
  });
}

BackgroundSend::~BackgroundSend() {
  if (!thread_.joinable()) return;
  if (client_.fd() >= 0) ::shutdown(client_.fd(), SHUT_RDWR);
  thread_.join();
}

IoResult BackgroundSend::wait() {
  if (thread_.joinable()) thread_.join();
  return result_;
}

void LoopbackClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void LoopbackClient::reset() {
  if (fd_ < 0) return;
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close();
}

void LoopbackClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace weft::test
