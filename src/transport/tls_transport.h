#pragma once
// TlsTransport: one connection's TLS session over OpenSSL, on its socket. The context
// (src/tls/) makes the SSL object with its certificates, verification and ALPN set; this
// file only moves bytes and reports.
//
// - The handshake, reads and writes are driven by the loop: OpenSSL's want-read and
//   want-write become -EAGAIN, and wants() names the readiness when it is the other
//   direction (a read that must send, a write that must first read).
// - Failures return a negative code that failure() maps into the "tls" category
//   (weft/transport/tls_error.h); each one is logged once with OpenSSL's reason text.
// - A peer that closes without close_notify is reported as tls::Errc::unexpected_eof, never
//   as a clean end of file. shutdown_write() and goodbye() send our close_notify.
// - Kernel TLS: when OpenSSL moved the record layer into the kernel during the handshake
//   (SSL_OP_ENABLE_KTLS), name() says "ktls" and send_file() uses SSL_sendfile; otherwise
//   "tls" and send_file() declines, so the connection copies file bytes through writes.
// Ownership: the transport owns its SSL object and deletes itself on release(). The
// TlsEvents it reports to must outlive it (the context that made it).

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "transport/transport.h"

namespace weft::detail {

// Empties this thread's OpenSSL error queue into one line ("" when it was empty).
std::string take_openssl_errors();

// What a context counts across its connections, from any loop.
struct TlsEvents {
  std::atomic<uint64_t> handshakes{0};
  std::atomic<uint64_t> resumed{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> handshake_failures{0};
  std::atomic<uint64_t> ktls{0};
  bool ktls_wanted = false;  // Set once at creation: SSL_OP_ENABLE_KTLS is on.
};

class TlsTransport final : public Transport {
 public:
  // Takes ownership of ssl. `keep` holds what the SSL object's callbacks use (its
  // context's certificates) alive for as long as the connection lives.
  TlsTransport(SSL* ssl, bool edge_triggered, TlsEvents& events, std::shared_ptr<const void> keep);

  const char* name() const override { return ktls_send_ ? "ktls" : "tls"; }
  long handshake(int fd) override;
  long read(int fd, const iovec* iov, int count) override;
  long write(int fd, const iovec* iov, int count) override;
  long send_file(int fd, int file, uint64_t offset, size_t n) override;
  long shutdown_write(int fd) override;
  void goodbye(int fd) override;
  uint8_t wants() const override { return static_cast<uint8_t>(handshake_wants_ | read_wants_ | write_wants_); }
  bool pending_input() const override;
  std::error_code failure(long rc) const override;
  void release() override { delete this; }
  void describe(TransportInfo& info) const override;

 private:
  enum class Op : uint8_t { handshake, read, write, shutdown };
  ~TlsTransport();
  long status(int rc, Op op, int fd);
  long fail(int code, int fd, int op);
  void handshake_done();
  bool send_close_notify();

  SSL* ssl_;
  TlsEvents& events_;
  std::shared_ptr<const void> keep_;
  long deferred_ = 0;  // A read's result kept for the next call, after bytes were returned.
  uint8_t handshake_wants_ = 0;
  uint8_t read_wants_ = 0;
  uint8_t write_wants_ = 0;
  bool edge_triggered_;
  bool drained_ = false;  // The last read stopped at want-read: the socket is empty.
  bool established_ = false;
  bool handshaking_ = false;  // A handshake began and has not finished.
  bool failed_ = false;       // A fatal error: OpenSSL forbids a close_notify now.
  bool notified_ = false;     // Our close_notify was sent (or tried).
  bool ktls_send_ = false;
  bool ktls_receive_ = false;
};

}  // namespace weft::detail
