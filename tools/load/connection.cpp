#include "connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "clock.h"

namespace weft_load {

char* ByteBuffer::append(std::size_t n) {
  if (tail_ + n > cap_) {
    if (head_ > 0) {
      std::memmove(buf_.get(), buf_.get() + head_, tail_ - head_);
      tail_ -= head_;
      head_ = 0;
    }
    if (tail_ + n > cap_) {
      std::size_t cap = std::max({cap_ * 2, tail_ + n, std::size_t{512}});
      auto grown = std::make_unique_for_overwrite<char[]>(cap);
      if (tail_ > 0) std::memcpy(grown.get(), buf_.get(), tail_);
      buf_ = std::move(grown);
      cap_ = cap;
    }
  }
  char* p = buf_.get() + tail_;
  tail_ += n;
  return p;
}

void ByteBuffer::consume(std::size_t n) noexcept {
  head_ += n;
  if (head_ >= tail_) head_ = tail_ = 0;
}

void StampQueue::push(std::uint64_t v) {
  if (size_ == cap_) {
    std::size_t cap = cap_ ? cap_ * 2 : 16;
    auto grown = std::make_unique_for_overwrite<std::uint64_t[]>(cap);
    for (std::size_t i = 0; i < size_; ++i) grown[i] = ring_[(head_ + i) & (cap_ - 1)];
    ring_ = std::move(grown);
    cap_ = cap;
    head_ = 0;
  }
  ring_[(head_ + size_) & (cap_ - 1)] = v;
  ++size_;
}

std::uint64_t StampQueue::pop() noexcept {
  std::uint64_t v = ring_[head_];
  head_ = (head_ + 1) & (cap_ - 1);
  --size_;
  return v;
}

Connection::~Connection() {
  close();
}

int Connection::start_connect(const weft::Address& ep, int epfd, std::uint64_t deadline) {
  fd_ = ::socket(ep.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return errno;
  if (ep.family() != AF_UNIX) {
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (::connect(fd_, ep.sockaddr_ptr(), ep.length()) != 0 && errno != EINPROGRESS) {
    int err = errno;
    close();
    return err;
  }
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.ptr = this;
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd_, &ev) != 0) {
    int err = errno;
    close();
    return err;
  }
  state_ = State::connecting;
  epollout_ = true;
  deadline_ = deadline;
  return 0;
}

int Connection::finish_connect(int epfd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return err;
  if (!set_epollout(epfd, false)) return errno;
  state_ = State::open;
  return 0;
}

void Connection::close() noexcept {
  if (fd_ >= 0) ::close(fd_);  // also drops the epoll registration
  fd_ = -1;
  state_ = State::closed;
  epollout_ = false;
  send_seq_ = recv_seq_ = inflight_ = 0;
  due_ = 0;
  stamps_.clear();
  out_.clear();
  partial_len_ = 0;
}

bool Connection::set_epollout(int epfd, bool on) noexcept {
  if (epollout_ == on) return true;
  epoll_event ev{};
  ev.events = on ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  ev.data.ptr = this;
  if (::epoll_ctl(epfd, EPOLL_CTL_MOD, fd_, &ev) != 0) return false;
  epollout_ = on;
  return true;
}

bool Connection::pump(int epfd, const Codec& codec, unsigned pipeline, Counters& counters) {
  if (state_ != State::open) return true;
  const std::size_t size = codec.size();
  while (due_ > 0 && inflight_ < pipeline) {
    codec.encode(id_, send_seq_++, out_.append(size));
    ++inflight_;
    --due_;
  }
  return flush(epfd, counters);
}

bool Connection::flush(int epfd, Counters& counters) {
  while (out_.size() > 0) {
    ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n > 0) {
      out_.consume(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (set_epollout(epfd, true)) return true;
    }
    ++counters.err_closed;
    return false;
  }
  if (!set_epollout(epfd, false)) {
    ++counters.err_closed;
    return false;
  }
  return true;
}

bool Connection::on_readable(Sink& sink, char* scratch, std::size_t cap, std::uint64_t& completed) {
  for (;;) {
    ssize_t n = ::recv(fd_, scratch, cap, 0);
    if (n > 0) {
      if (!consume(sink, scratch, static_cast<std::size_t>(n), now_ns(), completed)) return false;
      if (static_cast<std::size_t>(n) < cap) return true;  // level-triggered: epoll says if more
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    ++sink.counters.err_closed;  // orderly close (0) or reset
    return false;
  }
}

bool Connection::consume(Sink& sink, const char* data, std::size_t n, std::uint64_t now, std::uint64_t& completed) {
  const std::size_t size = sink.codec.size();
  while (n > 0) {
    if (partial_len_ == 0 && n >= size) {
      if (!check(sink, data, now)) return false;
      data += size;
      n -= size;
      ++completed;
      continue;
    }
    if (!partial_) partial_ = std::make_unique_for_overwrite<char[]>(size);
    std::size_t take = std::min(size - partial_len_, n);
    std::memcpy(partial_.get() + partial_len_, data, take);
    partial_len_ += take;
    data += take;
    n -= take;
    if (partial_len_ < size) break;
    partial_len_ = 0;
    if (!check(sink, partial_.get(), now)) return false;
    ++completed;
  }
  return true;
}

bool Connection::check(Sink& sink, const char* msg, std::uint64_t now) {
  Counters& c = sink.counters;
  if (inflight_ == 0) {
    ++c.err_duplicate;  // more bytes than were sent
    return false;
  }
  switch (sink.codec.verify(id_, recv_seq_, msg)) {
    case Codec::Verdict::ok: break;
    case Codec::Verdict::corrupt: ++c.err_corrupt; return false;
    case Codec::Verdict::lost: ++c.err_lost; return false;
    case Codec::Verdict::duplicate: ++c.err_duplicate; return false;
  }
  const std::uint64_t stamp = stamps_.pop();
  --inflight_;
  ++recv_seq_;
  ++c.msgs_total;
  if (now >= sink.window_begin && now < sink.window_end) {
    ++c.msgs;
    c.bytes += sink.codec.size();
    sink.hist.record(now > stamp ? now - stamp : 0);
  }
  return true;
}

}  // namespace weft_load
