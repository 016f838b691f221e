#pragma once
// Transport: how a connection moves its bytes. Conn does all of its socket I/O through
// one, and nothing above Conn knows which it has: plain TCP and Unix sockets
// (plain_transport.cpp), TLS, a completion-based path. A new transport is a new file that
// implements this interface; the connection's logic does not change.
//
// Contract. Every call is made on the connection's loop thread, with the connection's fd.
// - read() and write() return the number of bytes moved (> 0), 0 from read() for the end
//   of the peer's input, or -errno. -EAGAIN means "not now": the connection waits for the
//   readiness wants() names (readable for a read, writable for a write unless wants() says
//   otherwise: a TLS write may need the peer's bytes first).
// - handshake() runs once before the handler hears on_open: 0 when done (at once for plain
//   sockets), -EAGAIN while it waits for readiness (see wants()), or another -errno.
// - A transport may hold input the kernel no longer reports as readable (decrypted
//   records): pending_input() asks the connection to read again without waiting, and
//   buffers_input() (fixed at construction) says whether it ever may.
// - shutdown_write() ends the writing side once everything was written (TLS first sends
//   close_notify); goodbye() is the last word before the fd is closed (plain: nothing).
// - failure(rc) turns a negative result into an error_code (TLS maps its own failures).
// - release(): the connection is done with it (shared transports ignore it; a
//   per-connection transport deletes itself).
// - describe() fills what the transport negotiated (Conn::transport_info()).
// - A transport whose read and write are the plain socket calls says so (plain()), and
//   the connection then makes those calls inline (transport/io.h) instead of through the
//   interface: the per-message path stays free of indirect calls.

#include <sys/uio.h>

#include <cstdint>
#include <system_error>

#include "weft/transport/transport_info.h"

namespace weft::detail {

class Transport {
 public:
  enum Want : uint8_t { kNoWant = 0, kWantRead = 1, kWantWrite = 2 };

  virtual const char* name() const = 0;
  virtual long handshake(int fd) = 0;
  virtual long read(int fd, const iovec* iov, int count) = 0;
  virtual long write(int fd, const iovec* iov, int count) = 0;
  // Sends n bytes of `file` from offset without copying through user space, or returns
  // -EOPNOTSUPP if this transport cannot (the connection then copies the bytes).
  virtual long send_file(int fd, int file, uint64_t offset, size_t n) = 0;
  virtual long shutdown_write(int fd) = 0;
  virtual void goodbye(int fd) = 0;
  // The readiness the last -EAGAIN waits for, when it is not the call's own direction.
  virtual uint8_t wants() const { return kNoWant; }
  virtual bool pending_input() const { return false; }
  // Whether pending_input() can ever be true.
  bool buffers_input() const { return buffers_input_; }
  virtual std::error_code failure(long rc) const { return {static_cast<int>(-rc), std::system_category()}; }
  virtual void release() {}
  virtual void describe(TransportInfo& info) const { info.name = name(); }

  bool plain() const { return plain_; }

 protected:
  Transport(bool plain, bool buffers_input) : plain_(plain), buffers_input_(buffers_input) {}
  ~Transport() = default;

 private:
  const bool plain_;
  const bool buffers_input_;
};

}  // namespace weft::detail
