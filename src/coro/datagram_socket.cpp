#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "coro/runtime.h"
#include "net/dial_target.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"
#include "weft/coro/datagram_socket.h"

namespace weft::detail {

namespace {

constexpr size_t kMaxIpv4Payload = 65507;
constexpr size_t kMaxIpv6Payload = 65527;

std::error_code last_error() {
  return {errno, std::system_category()};
}

}  // namespace

// The socket behind a DatagramSocket: its fd on one loop, and the (at most one) pending
// receive and send. Registered with the loop only while one of them waits, so an
// asynchronous error (a connected socket's ICMP refusal) with nobody waiting does not
// keep the level-triggered poller busy: the next operation reads it.
class DatagramState final : public IoObject {
 public:
  DatagramState(EventLoop& loop, int fd) : loop_(&loop), fd_(fd) {}
  ~DatagramState() {
    if (gone_ != nullptr) *gone_ = true;
    for (DatagramOp* op : {reader_, writer_}) {
      if (op != nullptr) op->cancel(make_error_code(Errc::closed));
    }
    if (interest_ != 0) LoopAccess(*loop_).remove_io(fd_);
    ::close(fd_);
  }
  DatagramState(const DatagramState&) = delete;
  DatagramState& operator=(const DatagramState&) = delete;

  int fd() const { return fd_; }
  EventLoop& loop() const { return *loop_; }
  DatagramOp*& slot(bool write) { return write ? writer_ : reader_; }

  void update_interest() {
    uint32_t want = (reader_ != nullptr ? kReadable : 0u) | (writer_ != nullptr ? kWritable : 0u);
    if (want == interest_) return;
    std::error_code ec;
    if (want == 0) {
      LoopAccess(*loop_).remove_io(fd_);
    } else if (interest_ == 0) {
      ec = LoopAccess(*loop_).add_io(fd_, want, this);
    } else {
      ec = LoopAccess(*loop_).modify_io(fd_, want, this);
    }
    if (ec) {
      // The waiting operation would never wake: say so; its timeout (if any) still ends it.
      WEFT_LOG(LogLevel::error, "datagram socket: the poller refused an interest change: %s", ec.message().c_str());
      return;
    }
    interest_ = want;
  }

  void on_io(uint32_t events) override {
    // An error event (EPOLLERR) completes whichever operation waits, with the error.
    // Completing the receive resumes its coroutine, which may end the socket (this) at
    // once: the send is looked at only if it did not.
    bool gone = false;
    gone_ = &gone;
    if (reader_ != nullptr && (events & (kReadable | kError | kHangup)) && reader_->attempt()) reader_->complete();
    if (gone) return;
    gone_ = nullptr;
    if (writer_ != nullptr && (events & (kWritable | kError | kHangup)) && writer_->attempt()) writer_->complete();
  }

 private:
  EventLoop* loop_;
  int fd_;
  DatagramOp* reader_ = nullptr;
  DatagramOp* writer_ = nullptr;
  uint32_t interest_ = 0;
  bool* gone_ = nullptr;  // Set by the destructor when it runs inside on_io.
};

// --- opening ---------------------------------------------------------------------------

OpenDatagramOp::OpenDatagramOp(OpenDatagramOp&& other) noexcept
    : Waiter(other), url_(std::move(other.url_)), connect_(other.connect_), ec_(other.ec_) {}

OpenDatagramOp::~OpenDatagramOp() {
  if (resolving_) *resolving_ = nullptr;
  unwatch();
  delete state_;  // Opened, but the result was never taken.
}

bool OpenDatagramOp::begin(std::coroutine_handle<> h, CoroContext* ctx) {
  if (ctx == nullptr || ctx->loop == nullptr) {
    ec_ = std::make_error_code(std::errc::operation_not_supported);
    return false;
  }
  if (ec_) return false;
  loop_ = ctx->loop;
  DialTarget target;
  try {
    // A peer's host name goes to the resolver; a bound address is local (numeric, a Unix
    // path, or a name the hosts file holds) and parsed at once.
    if (connect_) {
      target = parse_datagram_target(url_);
    } else {
      target.address = Address::parse(url_);
    }
  } catch (const std::invalid_argument&) {
    ec_ = std::make_error_code(std::errc::invalid_argument);
    return false;
  }
  if (!target.needs_resolving()) {
    open(loop_, target.address);
    return false;
  }
  if (ctx->runtime == nullptr) {
    ec_ = std::make_error_code(std::errc::operation_not_supported);
    return false;
  }
  handle_ = h;
  resolving_ = std::make_shared<OpenDatagramOp*>(this);
  std::weak_ptr<OpenDatagramOp*> alive = resolving_;
  ctx->runtime->resolver(*loop_).resolve(target.host, target.port,
                                         [alive](std::error_code ec, const std::vector<Address>& a) {
                                           if (auto op = alive.lock(); op && *op != nullptr) {
                                             (*op)->resolved(ec, a.empty() ? Address() : a.front());
                                           }
                                         });
  watch(ctx);
  return true;
}

void OpenDatagramOp::resolved(std::error_code error, const Address& first) {
  resolving_.reset();
  if (error) {
    ec_ = error;
  } else {
    open(loop_, Address::from_sockaddr(first.sockaddr_ptr(), first.length(), true));
  }
  unwatch();
  handle_.resume();
}

void OpenDatagramOp::cancel_op(Waiter* self, std::error_code error) {
  auto* op = static_cast<OpenDatagramOp*>(self);
  *op->resolving_ = nullptr;  // The resolver's answer is dropped.
  op->resolving_.reset();
  op->unwatch();
  op->ec_ = error;
  op->handle_.resume();
}

void OpenDatagramOp::open(EventLoop* loop, const Address& address) {
  if (!address.is_datagram()) {
    ec_ = std::make_error_code(std::errc::invalid_argument);
    return;
  }
  int fd = ::socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec_ = last_error();
    return;
  }
  int rc = connect_ ? ::connect(fd, address.sockaddr_ptr(), address.length())
                    : ::bind(fd, address.sockaddr_ptr(), address.length());
  if (rc < 0) {
    ec_ = last_error();
    ::close(fd);
    return;
  }
  state_ = new DatagramState(*loop, fd);
}

Result<DatagramSocket> OpenDatagramOp::await_resume() {
  if (ec_) return ec_;
  return DatagramSocket(std::exchange(state_, nullptr));
}

// --- operations ------------------------------------------------------------------------

DatagramOp::DatagramOp(DatagramOp&& other) noexcept
    : Waiter(other),
      state_(other.state_),
      ec_(other.ec_),
      buffer_(other.buffer_),
      bytes_(other.bytes_),
      to_(other.to_),
      write_(other.write_) {}

DatagramOp::~DatagramOp() {
  if (registered_) leave();
  unwatch();
}

bool DatagramOp::await_ready() {
  if (state_ == nullptr) {
    ec_ = make_error_code(Errc::closed);
    return true;
  }
  state_->loop().assert_in_loop_thread(write_ ? "DatagramSocket::send_to" : "DatagramSocket::recv_from");
  if (state_->slot(write_) != nullptr) {
    ec_ = std::make_error_code(std::errc::operation_in_progress);
    return true;
  }
  return attempt();
}

bool DatagramOp::attempt() {
  int fd = state_->fd();
  if (write_) {
    if (to_ != nullptr) {
      size_t limit = to_->family() == AF_INET    ? kMaxIpv4Payload
                     : to_->family() == AF_INET6 ? kMaxIpv6Payload
                                                 : SIZE_MAX;
      if (bytes_.size() > limit) {
        ec_ = std::make_error_code(std::errc::message_size);
        return true;
      }
    }
    for (;;) {
      ssize_t n = to_ != nullptr
                      ? ::sendto(fd, bytes_.data(), bytes_.size(), MSG_NOSIGNAL, to_->sockaddr_ptr(), to_->length())
                      : ::send(fd, bytes_.data(), bytes_.size(), MSG_NOSIGNAL);
      if (n >= 0) return true;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return false;
      ec_ = last_error();
      return true;
    }
  }
  for (;;) {
    sockaddr_storage from{};
    iovec iov{buffer_.data(), buffer_.size()};
    msghdr h{};
    h.msg_name = &from;
    h.msg_namelen = sizeof from;
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    ssize_t n = ::recvmsg(fd, &h, MSG_DONTWAIT);
    if (n >= 0) {
      got_.size = static_cast<size_t>(n);
      got_.truncated = (h.msg_flags & MSG_TRUNC) != 0;
      got_.from = Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&from), h.msg_namelen, true);
      return true;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    ec_ = last_error();  // ECONNREFUSED: a connected socket's peer port is unreachable.
    return true;
  }
}

bool DatagramOp::suspend(std::coroutine_handle<> h, CoroContext* ctx) {
  if (ctx != nullptr && ctx->cancelled) {
    ec_ = make_error_code(Errc::closed);
    return false;
  }
  handle_ = h;
  state_->slot(write_) = this;
  registered_ = true;
  state_->update_interest();
  watch(ctx);
  return true;
}

void DatagramOp::leave() {
  registered_ = false;
  state_->slot(write_) = nullptr;
  state_->update_interest();
}

void DatagramOp::complete() {
  if (registered_) leave();
  unwatch();
  handle_.resume();
}

void DatagramOp::cancel_op(Waiter* self, std::error_code error) {
  auto* op = static_cast<DatagramOp*>(self);
  op->ec_ = error;
  op->complete();
}

}  // namespace weft::detail

namespace weft {

DatagramSocket& DatagramSocket::operator=(DatagramSocket&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

void DatagramSocket::close() {
  delete std::exchange(state_, nullptr);
}

Address DatagramSocket::local_address() const {
  if (state_ == nullptr) return {};
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(state_->fd(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
  return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len, true);
}

}  // namespace weft
