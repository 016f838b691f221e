#pragma once
// Direct system calls for the I/O hot path.
//
// glibc's read, send and epoll_wait are pthread cancellation points: each call switches
// asynchronous cancellation on and off around the kernel entry, which costs more user
// space instructions per echoed message than the rest of weft's bookkeeping. Loop threads
// are never cancelled (they are stopped with EventLoop::quit), so the loop enters the
// kernel directly. Each call returns what the kernel returns: a count, or -errno; errno
// itself is left alone.

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

struct iovec;
struct msghdr;
struct epoll_event;

namespace weft::detail::sys {

#if defined(__x86_64__)

inline long call3(long nr, long a, long b, long c) {
  long ret;
  asm volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}

inline long call6(long nr, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  register long r9 asm("r9") = f;
  asm volatile("syscall"
               : "=a"(ret)
               : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}

#else

// Elsewhere libc's generic entry, which is not a cancellation point either.
inline long call3(long nr, long a, long b, long c) {
  long r = ::syscall(nr, a, b, c);
  return r < 0 ? -errno : r;
}

inline long call6(long nr, long a, long b, long c, long d, long e, long f) {
  long r = ::syscall(nr, a, b, c, d, e, f);
  return r < 0 ? -errno : r;
}

#endif

inline long read(int fd, void* buf, size_t n) {
  return call3(SYS_read, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}

inline long readv(int fd, const iovec* iov, int count) {
  return call3(SYS_readv, fd, reinterpret_cast<long>(iov), count);
}

inline long send(int fd, const void* buf, size_t n, int flags) {
  return call6(SYS_sendto, fd, reinterpret_cast<long>(buf), static_cast<long>(n), flags, 0, 0);
}

inline long sendmsg(int fd, const msghdr* msg, int flags) {
  return call3(SYS_sendmsg, fd, reinterpret_cast<long>(msg), flags);
}

// epoll_pwait with no signal mask is epoll_wait, and exists on every architecture.
inline long epoll_wait(int epfd, epoll_event* events, int max, int timeout_ms) {
  return call6(SYS_epoll_pwait, epfd, reinterpret_cast<long>(events), max, timeout_ms, 0, 0);
}

}  // namespace weft::detail::sys
