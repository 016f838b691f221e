#include "transport/plain_transport.h"

#include <sys/sendfile.h>

namespace weft::detail {
namespace {

class PlainTransport final : public Transport {
 public:
  PlainTransport() : Transport(true, false) {}
  const char* name() const override { return "tcp"; }
  long handshake(int) override { return 0; }
  long read(int fd, const iovec* iov, int count) override { return plain::read(fd, iov, count); }
  long write(int fd, const iovec* iov, int count) override { return plain::write(fd, iov, count); }

  long send_file(int fd, int file, uint64_t offset, size_t n) override {
    off_t at = static_cast<off_t>(offset);
    ssize_t r = ::sendfile(fd, file, &at, n);
    return r < 0 ? -errno : r;
  }

  long shutdown_write(int fd) override { return ::shutdown(fd, SHUT_WR) < 0 ? -errno : 0; }
  void goodbye(int) override {}
};

}  // namespace

Transport& plain_transport() {
  static PlainTransport transport;
  return transport;
}

}  // namespace weft::detail
