#pragma once
// Reading and writing through a connection's transport, with the plain socket calls made
// inline when the transport is plain (the common case, on the per-message path).

#include "transport/plain_transport.h"
#include "transport/transport.h"

namespace weft::detail {

inline long transport_read(Transport& t, int fd, const iovec* iov, int count) {
  return t.plain() ? plain::read(fd, iov, count) : t.read(fd, iov, count);
}

inline long transport_write(Transport& t, int fd, const iovec* iov, int count) {
  return t.plain() ? plain::write(fd, iov, count) : t.write(fd, iov, count);
}

}  // namespace weft::detail
