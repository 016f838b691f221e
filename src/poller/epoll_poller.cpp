#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "os/syscall.h"
#include "poller/poller.h"

namespace weft::detail {
namespace {

constexpr bool same_bit(IoEvent ours, uint32_t epoll) { return static_cast<uint32_t>(ours) == epoll; }
static_assert(same_bit(kReadable, EPOLLIN) && same_bit(kWritable, EPOLLOUT) && same_bit(kError, EPOLLERR) &&
              same_bit(kHangup, EPOLLHUP) && same_bit(kReadHangup, EPOLLRDHUP));
static_assert(EPOLLPRI == EPOLLIN << 1);

uint32_t to_epoll(uint32_t interest, bool edge) {
  // EPOLLRDHUP only while reading: in level-triggered mode it stays asserted after the
  // peer's FIN, and would spin a connection whose reading is paused.
  uint32_t e = interest & (kReadable | kWritable);
  if (interest & kReadable) e |= EPOLLRDHUP;
  if (edge) e |= EPOLLET;
  return e;
}

// Urgent data (EPOLLPRI) counts as readable.
uint32_t from_epoll(uint32_t e) {
  return (e & (kReadable | kWritable | kError | kHangup | kReadHangup)) | ((e & EPOLLPRI) >> 1);
}

// epoll_wait, without glibc's cancellation-point wrapper where weft enters the kernel
// itself (core/syscall.h); epoll_pwait with no signal mask is epoll_wait. Returns -errno.
long epoll_wait_raw(int epfd, epoll_event* events, int max, int timeout_ms) {
#if WEFT_DIRECT_SYSCALLS
  return sys::call6(SYS_epoll_pwait, epfd, reinterpret_cast<long>(events), max, timeout_ms, 0, 0);
#else
  return sys::result(::epoll_wait(epfd, events, max, timeout_ms));
#endif
}

class EpollPoller final : public Poller {
 public:
  explicit EpollPoller(bool edge) : edge_(edge), fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  }
  ~EpollPoller() override { ::close(fd_); }

  const char* name() const override { return edge_ ? "epoll-et" : "epoll"; }

  std::error_code add(int fd, uint32_t interest, IoObject* object) override {
    return control(EPOLL_CTL_ADD, fd, interest, object);
  }
  std::error_code modify(int fd, uint32_t interest, IoObject* object) override {
    return control(EPOLL_CTL_MOD, fd, interest, object);
  }
  void remove(int fd) override { ::epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr); }

  int wait(PollEvent* out, int max, int timeout_ms) override {
    if (static_cast<int>(events_.size()) < max) events_.resize(static_cast<size_t>(max));
    int n = static_cast<int>(epoll_wait_raw(fd_, events_.data(), max, timeout_ms));
    if (n == -EINTR) return 0;  // A signal arrived; the loop simply iterates again.
    if (n < 0) return n;
    for (int i = 0; i < n; ++i) {
      out[i].object = static_cast<IoObject*>(events_[static_cast<size_t>(i)].data.ptr);
      out[i].events = from_epoll(events_[static_cast<size_t>(i)].events);
    }
    return n;
  }

 private:
  std::error_code control(int op, int fd, uint32_t interest, IoObject* object) {
    epoll_event ev{};
    ev.events = to_epoll(interest, edge_);
    ev.data.ptr = object;
    if (::epoll_ctl(fd_, op, fd, &ev) < 0) return {errno, std::system_category()};
    return {};
  }

  bool edge_;
  int fd_;
  std::vector<epoll_event> events_;
};

}  // namespace

std::unique_ptr<Poller> make_epoll_poller(bool edge_triggered) {
  return std::make_unique<EpollPoller>(edge_triggered);
}

}  // namespace weft::detail
