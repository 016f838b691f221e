#pragma once
// PlainTransport: TCP and Unix stream sockets as they are. It holds no per-connection
// state, so one instance serves every connection. Its calls are also offered inline
// (plain::read, plain::write), so that a connection on a plain socket, the common case,
// enters the kernel without an indirect call.

#include <sys/socket.h>
#include <sys/uio.h>

#include "os/syscall.h"
#include "transport/transport.h"

namespace weft::detail {

Transport& plain_transport();

namespace plain {

// One contiguous range is read with read(2): the kernel need not import an iovec.
inline long read(int fd, const iovec* iov, int count) {
  if (count == 1) return sys::read(fd, iov[0].iov_base, iov[0].iov_len);
  return sys::readv(fd, iov, count);
}

// MSG_NOSIGNAL: a peer that has gone away yields EPIPE, never SIGPIPE. One range goes
// through send(2), which spares the kernel importing an iovec array.
inline long write(int fd, const iovec* iov, int count) {
  if (count == 1) return sys::send(fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(count);
  return sys::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace plain
}  // namespace weft::detail
