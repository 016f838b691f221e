#include "weft/coro/dial.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <vector>

#include "core/socket.h"
#include "coro/runtime.h"
#include "net/dial_target.h"
#include "weft/core/detail/loop_access.h"
#include "coro/stream_state.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"

namespace weft::detail {

DialOp::DialOp(std::string_view url, Duration timeout) : Waiter(&cancel_op), timeout_(timeout) {
  try {
    DialTarget target = parse_dial_target(url);
    address_ = target.address;
    if (target.needs_resolving()) {
      host_ = std::move(target.host);
      port_ = target.port;
    }
  } catch (const std::exception&) {
    ec_ = std::make_error_code(std::errc::invalid_argument);
  }
}

DialOp::DialOp(const Address& address, Duration timeout) : Waiter(&cancel_op), address_(address), timeout_(timeout) {
  if (!address_.valid()) ec_ = std::make_error_code(std::errc::invalid_argument);
}

DialOp::DialOp(DialOp&& other) noexcept
    : Waiter(other),
      IoObject(other),
      address_(other.address_),
      host_(other.host_),
      port_(other.port_),
      timeout_(other.timeout_),
      ec_(other.ec_) {}

DialOp::~DialOp() {
  if (resolving_) *resolving_ = nullptr;
  if (timer_ && fd_ < 0) {
    loop_->cancel(timer_);  // Destroyed by force while resolving.
    timer_ = {};
  }
  // A connect in flight when the coroutine is destroyed by force.
  if (fd_ >= 0) ::close(release_fd());
  unwatch();
  // Connected, but the result was never taken: the Stream it would have been closes it.
  if (state_ != nullptr) Stream unclaimed(state_);
}

bool DialOp::begin(std::coroutine_handle<> h, CoroContext* ctx) {
  if (ctx == nullptr || ctx->runtime == nullptr || ctx->loop == nullptr) {
    ec_ = std::make_error_code(std::errc::operation_not_supported);
    return false;
  }
  if (ctx->cancelled) {
    ec_ = make_error_code(Errc::closed);
    return false;
  }
  runtime_ = ctx->runtime;
  loop_ = ctx->loop;
  handle_ = h;
  if (!host_.empty()) {
    // The name first, through the loop's resolver; the timeout covers both.
    resolving_ = std::make_shared<DialOp*>(this);
    std::weak_ptr<DialOp*> alive = resolving_;
    runtime_->resolver(*loop_).resolve(host_, port_, [alive](std::error_code ec, const std::vector<Address>& a) {
      if (auto op = alive.lock(); op && *op != nullptr) (*op)->resolved(ec, a.empty() ? Address() : a.front());
    });
  } else if (!connect()) {
    return false;
  }
  if (timeout_ > Duration::zero()) {
    timer_ = loop_->run_after(timeout_, [this] {
      timer_ = {};
      cancel(make_error_code(Errc::timeout));
    });
  }
  watch(ctx);
  return true;
}

bool DialOp::connect() {
  int fd = ::socket(address_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec_ = {errno, std::system_category()};
    return false;
  }
  if (::connect(fd, address_.sockaddr_ptr(), address_.length()) == 0) {
    connected(fd);  // Unix-domain sockets usually connect at once.
    return false;
  }
  if (errno != EINPROGRESS) {
    ec_ = {errno, std::system_category()};
    ::close(fd);
    return false;
  }
  // connect(2): the socket becomes writable when the connect finishes, either way; then
  // SO_ERROR tells which.
  if (std::error_code ec = LoopAccess(*loop_).add_io(fd, kWritable, this)) {
    ec_ = ec;
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

// The resolver has answered (never inside begin()): connect to the first address, or
// resume with why not.
void DialOp::resolved(std::error_code error, const Address& first) {
  *resolving_ = nullptr;
  resolving_.reset();
  if (!error) {
    address_ = first;
    if (connect()) return;
  } else {
    ec_ = error;
  }
  if (timer_) {
    loop_->cancel(timer_);
    timer_ = {};
  }
  unwatch();
  handle_.resume();
}

void DialOp::on_io(uint32_t) {
  std::error_code error = socket_error(fd_);
  int fd = release_fd();
  if (error) {
    ::close(fd);
    ec_ = error;
  } else {
    connected(fd);
  }
  unwatch();
  handle_.resume();
}

void DialOp::connected(int fd) {
  auto* state = new StreamState(runtime_->options());
  // The server makes the connection; its on_open attaches the state.
  if (!runtime_->adopt(fd, *loop_, *state)) {
    state->unref();
    ec_ = make_error_code(Errc::shutdown);
    return;
  }
  state_ = state;
}

int DialOp::release_fd() {
  LoopAccess(*loop_).remove_io(fd_);
  if (timer_) {
    loop_->cancel(timer_);
    timer_ = {};
  }
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void DialOp::cancel_op(Waiter* self, std::error_code error) {
  auto* op = static_cast<DialOp*>(self);
  if (op->resolving_) {
    *op->resolving_ = nullptr;  // The resolver's answer is dropped.
    op->resolving_.reset();
    if (op->timer_) {
      op->loop_->cancel(op->timer_);
      op->timer_ = {};
    }
  } else {
    ::close(op->release_fd());
  }
  op->unwatch();
  op->ec_ = error;
  op->handle_.resume();
}

Result<Stream> DialOp::await_resume() {
  if (ec_) return ec_;
  StreamState* state = state_;
  state_ = nullptr;
  return Stream(state);
}

}  // namespace weft::detail
