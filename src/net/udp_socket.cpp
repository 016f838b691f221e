#include <time.h>  // linux/errqueue.h needs struct timespec first.

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/guarded_call.h"
#include "weft/core/detail/address_writer.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"
#include "weft/net/udp.h"

namespace weft {

using detail::kError;
using detail::kReadable;
using detail::kWritable;

namespace {

constexpr size_t kMaxIpv4Payload = 65507;  // 65535 - 20 (IP header) - 8 (UDP header)
constexpr size_t kMaxIpv6Payload = 65527;  // 65535 - 8; the IPv6 header is not counted
constexpr int kReadRounds = 16;            // recvmmsg calls per readiness, for fairness

}  // namespace

struct UdpSocket::Pending {
  Pending() {}  // Filled by send_to: no zeroing of `to` per datagram.
  size_t offset;
  size_t length;
  socklen_t to_length;
  sockaddr_storage to;
};

// The arrays recvmmsg and sendmmsg fill, and one receive slot per datagram of a batch.
// Headers are set up once; a round resets only what the kernel wrote (see read_datagrams).
// Senders' addresses land straight in `names`, which the handler then sees.
struct UdpSocket::Batch {
  Batch(size_t n, size_t slot) : slots(n * slot), msgs(n), iovs(n), names(n), out_msgs(n), out_iovs(n) {
    for (size_t i = 0; i < n; ++i) {
      iovs[i] = {slots.data() + i * slot, slot};
      msghdr& h = msgs[i].msg_hdr;
      h = {};
      h.msg_name = detail::AddressWriter::buffer(names[i]);
      h.msg_namelen = detail::AddressWriter::capacity();
      h.msg_iov = &iovs[i];
      h.msg_iovlen = 1;
      msghdr& o = out_msgs[i].msg_hdr;
      o = {};
      o.msg_iov = &out_iovs[i];
      o.msg_iovlen = 1;
    }
  }
  std::vector<char> slots;
  std::vector<mmsghdr> msgs;
  std::vector<iovec> iovs;
  std::vector<Address> names;
  std::vector<mmsghdr> out_msgs;
  std::vector<iovec> out_iovs;
};

UdpSocket::UdpSocket(EventLoop& loop, int fd, DatagramHandler& handler, const UdpOptions& options, const Address& local)
    : loop_(&loop),
      fd_(fd),
      handler_(&handler),
      max_datagram_(options.max_datagram),
      batch_(options.batch),
      max_queued_(options.max_queued),
      local_(local),
      io_(std::make_unique<Batch>(options.batch, options.max_datagram)) {}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code UdpSocket::open() {
  return detail::LoopAccess(*loop_).add_io(fd_, kReadable, this);
}

void UdpSocket::on_io(uint32_t events) {
  // An ICMP error (IP_RECVERR) raises EPOLLERR and also sets the socket's pending error,
  // which the next recvmmsg/sendmmsg would return instead of data: drain it first.
  if (events & kError) read_errors();
  if (events & kReadable) read_datagrams();
  if ((events & kWritable) || !pending_.empty()) flush_sends();
}

void UdpSocket::on_flush() {
  dirty_ = false;
  flush_sends();
}

void UdpSocket::read_datagrams() {
  for (int round = 0; round < kReadRounds; ++round) {
    int n = ::recvmmsg(fd_, io_->msgs.data(), static_cast<unsigned>(batch_), MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: drained. Anything else is a pending asynchronous error the error queue
      // reports (ECONNREFUSED after an ICMP error): read it, then try once more.
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        read_errors();
        continue;
      }
      return;
    }
    for (int i = 0; i < n; ++i) {
      const mmsghdr& m = io_->msgs[i];
      bool truncated = (m.msg_hdr.msg_flags & MSG_TRUNC) != 0;
      size_t len = std::min<size_t>(m.msg_len, max_datagram_);
      Address& from = io_->names[i];
      detail::AddressWriter::set_length(from, m.msg_hdr.msg_namelen, true);
      std::string_view data(static_cast<const char*>(m.msg_hdr.msg_iov->iov_base), len);
      detail::guarded_call("DatagramHandler::on_datagram",
                           [&] { handler_->on_datagram(*this, data, from, truncated); });
      // The kernel wrote the name's length: the next round offers the whole buffer again.
      io_->msgs[i].msg_hdr.msg_namelen = detail::AddressWriter::capacity();
    }
    // Replies to this batch leave together.
    if (!pending_.empty()) flush_sends();
    // Even after a partial batch, read on until EAGAIN (or kReadRounds): under load more
    // datagrams arrive while the replies leave, and this read saves an epoll_wait.
  }
}

void UdpSocket::read_errors() {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage offender_to{};
    char control[512];
    char byte;
    iovec iov{&byte, 1};
    msghdr h{};
    h.msg_name = &offender_to;
    h.msg_namelen = sizeof offender_to;
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = control;
    h.msg_controllen = sizeof control;
    if (::recvmsg(fd_, &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
      bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
      if (!v4 && !v6) continue;
      sock_extended_err ee;
      std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
      // ip(7): msg_name holds the destination of the datagram that caused the error.
      Address peer = Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&offender_to), h.msg_namelen, true);
      std::error_code ec(static_cast<int>(ee.ee_errno), std::system_category());
      detail::guarded_call("DatagramHandler::on_error", [&] { handler_->on_error(*this, ec, peer); });
    }
  }
}

std::error_code UdpSocket::send_to(std::string_view bytes, const Address& to) {
  loop_->assert_in_loop_thread("UdpSocket::send_to");
  if (to.family() != local_.family()) return std::make_error_code(std::errc::address_family_not_supported);
  size_t limit = to.family() == AF_INET ? kMaxIpv4Payload : to.family() == AF_INET6 ? kMaxIpv6Payload : SIZE_MAX;
  if (bytes.size() > limit) return std::make_error_code(std::errc::message_size);
  if (queued_bytes_ + bytes.size() > max_queued_ && !pending_.empty()) {
    return std::make_error_code(std::errc::no_buffer_space);
  }
  if (arena_used_ + bytes.size() > arena_.size())
    arena_.resize(std::max(arena_.size() * 2, arena_used_ + bytes.size()));
  if (!bytes.empty()) std::memcpy(arena_.data() + arena_used_, bytes.data(), bytes.size());
  Pending& p = pending_.emplace_back();
  p.offset = arena_used_;
  p.length = bytes.size();
  p.to_length = to.length();
  std::memcpy(&p.to, to.sockaddr_ptr(), to.length());
  arena_used_ += bytes.size();
  queued_bytes_ += bytes.size();
  if (!dirty_) {
    dirty_ = true;
    detail::LoopAccess(*loop_).mark_dirty(this);
  }
  return {};
}

std::error_code UdpSocket::send(std::string_view bytes) {
  if (!peer_.valid()) return std::make_error_code(std::errc::not_connected);
  return send_to(bytes, peer_);
}

void UdpSocket::flush_sends() {
  bool retried = false;
  while (sent_ < pending_.size()) {
    size_t n = std::min(pending_.size() - sent_, batch_);
    for (size_t i = 0; i < n; ++i) {
      Pending& p = pending_[sent_ + i];
      io_->out_iovs[i] = {arena_.data() + p.offset, p.length};
      msghdr& h = io_->out_msgs[i].msg_hdr;
      h.msg_name = &p.to;
      h.msg_namelen = p.to_length;
    }
    int r = ::sendmmsg(fd_, io_->out_msgs.data(), static_cast<unsigned>(n), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        want_writable(true);
        return;
      }
      if (!retried && (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)) {
        // A pending asynchronous error from an earlier datagram (see on_io), not this one.
        retried = true;
        read_errors();
        continue;
      }
      // The first datagram of the batch was refused (EMSGSIZE...): report it, send the rest.
      const Pending& p = pending_[sent_];
      Address peer = Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&p.to), p.to_length, true);
      std::error_code ec(errno, std::system_category());
      queued_bytes_ -= p.length;
      ++sent_;
      detail::guarded_call("DatagramHandler::on_error", [&] { handler_->on_error(*this, ec, peer); });
      continue;
    }
    for (int i = 0; i < r; ++i) queued_bytes_ -= pending_[sent_ + i].length;
    sent_ += static_cast<size_t>(r);
    retried = false;
  }
  pending_.clear();  // Keeps its capacity, as the arena does: no allocation next time.
  arena_used_ = 0;
  sent_ = 0;
  queued_bytes_ = 0;
  want_writable(false);
}

void UdpSocket::want_writable(bool on) {
  if (writable_armed_ == on) return;
  writable_armed_ = on;
  if (std::error_code ec = detail::LoopAccess(*loop_).modify_io(fd_, on ? kReadable | kWritable : kReadable, this)) {
    // Without writability events, queued datagrams go out with the next send's flush.
    WEFT_LOG(LogLevel::error, "udp socket: the poller refused an interest change: %s", ec.message().c_str());
  }
}

}  // namespace weft
