#pragma once
// Direct system calls for the I/O hot path.
//
// glibc's read, send and epoll_wait are pthread cancellation points: each call switches
// asynchronous cancellation on and off around the kernel entry, which costs more user
// space instructions per echoed message than the rest of weft's bookkeeping. Loop threads
// are never cancelled (they are stopped with EventLoop::quit), so the loop enters the
// kernel directly. Each call returns what the kernel returns: a count, or -errno; errno
// itself is left alone on the direct path.

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

// Sanitized builds go through libc, whose interceptors check the buffers handed to the
// kernel; so do architectures without an entry sequence here.
#if defined(__x86_64__) && !defined(WEFT_SANITIZED)
#define WEFT_DIRECT_SYSCALLS 1
#else
#define WEFT_DIRECT_SYSCALLS 0
#endif

namespace weft::detail::sys {

#if WEFT_DIRECT_SYSCALLS

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

#else

inline long result(long r) { return r < 0 ? -errno : r; }
inline long read(int fd, void* buf, size_t n) { return result(::read(fd, buf, n)); }
inline long readv(int fd, const iovec* iov, int count) { return result(::readv(fd, iov, count)); }
inline long send(int fd, const void* buf, size_t n, int flags) { return result(::send(fd, buf, n, flags)); }
inline long sendmsg(int fd, const msghdr* msg, int flags) { return result(::sendmsg(fd, msg, flags)); }

#endif

}  // namespace weft::detail::sys
