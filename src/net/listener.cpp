#include "net/listener.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "weft/core/detail/loop_access.h"
#include "weft/core/log.h"

namespace weft::detail {
namespace {

constexpr int kAcceptsPerEvent = 256;  // Then let other events of the batch run.
constexpr auto kExhaustedRetry = std::chrono::milliseconds(100);

int open_spare() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

Listener::Listener(EventLoop& loop, int fd, const Address& bound, Accepted accepted, LoopContext* own)
    : loop_(loop), fd_(fd), spare_fd_(open_spare()), address_(bound), accepted_(std::move(accepted)), own_(own) {}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

void Listener::start() {
  if (std::error_code ec = LoopAccess(loop_).add_io(fd_, kReadable, this)) {
    throw std::system_error(ec, "watching the listener on " + address_.to_string());
  }
}

void Listener::close() {
  if (fd_ < 0) return;
  if (resume_timer_) loop_.cancel(resume_timer_);
  if (!paused_) LoopAccess(loop_).remove_io(fd_);
  ::close(fd_);
  fd_ = -1;
  if (owns_path_ && address_.is_unix() && address_.host()[0] != '@') ::unlink(address_.host().c_str());
}

void Listener::on_io(uint32_t) {
  for (int i = 0; i < kAcceptsPerEvent && fd_ >= 0; ++i) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      exhausted_logged_ = false;
      accepted_(fd, Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len), own_);
      continue;
    }
    switch (errno) {
      case EAGAIN:
        return;
      case EINTR:
      case ECONNABORTED:  // The peer gave up while queued (accept(2)); try the next one.
      case EPROTO:
        continue;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        refuse_pending();
        return;
      default:
        WEFT_LOG(LogLevel::error, "accept on %s: %s", address_.to_string().c_str(), std::strerror(errno));
        pause_accepting();
        return;
    }
  }
  // The budget ran out with connections still queued. A level-triggered poll reports the
  // socket again; an edge-triggered one would not until the next connection arrives, so
  // re-arm it: EPOLL_CTL_MOD queues a fresh edge for a socket that is still readable.
  if (fd_ >= 0 && !paused_ && LoopAccess(loop_).edge_triggered() && LoopAccess(loop_).modify_io(fd_, kReadable, this)) {
    pause_accepting();  // The re-arm failed: look away and register afresh in a moment.
  }
}

void Listener::refuse_pending() {
  if (!exhausted_logged_) {
    WEFT_LOG(LogLevel::warn, "accept on %s: %s; refusing new connections until descriptors free up",
             address_.to_string().c_str(), std::strerror(errno));
    exhausted_logged_ = true;
  }
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
    spare_fd_ = -1;
    for (;;) {
      int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) break;
      ::close(fd);
    }
    spare_fd_ = open_spare();
  }
  // Without a spare (another thread took the freed descriptor) the backlog may still hold
  // connections; in level-triggered mode they would wake us at once, so look away briefly.
  if (spare_fd_ < 0) pause_accepting();
}

void Listener::pause_accepting() {
  if (paused_ || fd_ < 0) return;
  paused_ = true;
  LoopAccess(loop_).remove_io(fd_);
  arm_resume();
}

void Listener::arm_resume() {
  resume_timer_ = loop_.run_after(kExhaustedRetry, [this] {
    resume_timer_ = {};
    if (fd_ < 0) return;
    if (spare_fd_ < 0) spare_fd_ = open_spare();
    if (std::error_code ec = LoopAccess(loop_).add_io(fd_, kReadable, this)) {
      WEFT_LOG(LogLevel::error, "watching the listener on %s: %s; retrying", address_.to_string().c_str(),
               ec.message().c_str());
      arm_resume();
      return;
    }
    paused_ = false;
  });
}

}  // namespace weft::detail
