#include "transport/tls_transport.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "core/socket.h"
#include "os/sigpipe.h"
#include "weft/core/address.h"
#include "weft/core/log.h"
#include "weft/transport/tls_error.h"

namespace weft::detail {
namespace {

// Failures travel through the connection as -(kTlsBase + tls::Errc), clear of every errno.
constexpr long kTlsBase = 1 << 20;
// Writes of several small buffers are gathered into one record of at most this size.
constexpr size_t kRecordSize = 16384;
// At most this many failure lines per loop thread per second: a flood of garbage
// connections must not flood the log.
constexpr unsigned kLogsPerSecond = 5;

std::atomic<bool> g_ktls_fallback_logged{false};

bool log_allowed() {
  thread_local int64_t second = 0;
  thread_local unsigned count = 0;
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now != second) {
    if (count > kLogsPerSecond) {
      WEFT_LOG(LogLevel::warn, "%u more TLS failures in the last second were not logged", count - kLogsPerSecond);
    }
    second = now;
    count = 0;
  }
  return ++count <= kLogsPerSecond;
}

// Before each OpenSSL call: SSL_get_error reads the thread's error queue and errno, so
// neither may hold an earlier call's leftovers.
void clear_errors() {
  ERR_clear_error();
  errno = 0;
}

const char* op_name(int op) {
  static const char* const kNames[] = {"handshake", "read", "write", "shutdown"};
  return kNames[op];
}

}  // namespace

std::string take_openssl_errors() {
  std::string out;
  char line[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, line, sizeof line);
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

TlsTransport::TlsTransport(SSL* ssl, bool edge_triggered, TlsEvents& events, std::shared_ptr<const void> keep)
    : Transport(false, true), ssl_(ssl), events_(events), keep_(std::move(keep)), edge_triggered_(edge_triggered) {
  block_sigpipe_here();  // OpenSSL's writes cannot ask for MSG_NOSIGNAL; made on the owning loop's thread.
}

TlsTransport::~TlsTransport() {
  // A handshake that never finished nor failed with a TLS error: it timed out, the peer
  // left, or the server stopped.
  if (handshaking_) events_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
  SSL_free(ssl_);
}

long TlsTransport::handshake(int fd) {
  handshaking_ = true;
  handshake_wants_ = kNoWant;
  clear_errors();
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    handshake_done();
    return 0;
  }
  return status(rc, Op::handshake, fd);
}

void TlsTransport::handshake_done() {
  established_ = true;
  handshaking_ = false;
  ktls_send_ = BIO_get_ktls_send(SSL_get_wbio(ssl_));
  ktls_receive_ = BIO_get_ktls_recv(SSL_get_rbio(ssl_));
  events_.handshakes.fetch_add(1, std::memory_order_relaxed);
  if (SSL_session_reused(ssl_)) events_.resumed.fetch_add(1, std::memory_order_relaxed);
  if (ktls_send_ || ktls_receive_) {
    events_.ktls.fetch_add(1, std::memory_order_relaxed);
  } else if (events_.ktls_wanted && !g_ktls_fallback_logged.exchange(true, std::memory_order_relaxed)) {
    WEFT_LOG(LogLevel::info,
             "kernel TLS is not available for %s %s (no `tls` module, or the cipher is not offloaded); "
             "TLS records are handled in user space",
             SSL_get_version(ssl_), SSL_get_cipher_name(ssl_));
  }
}

long TlsTransport::read(int fd, const iovec* iov, int count) {
  if (deferred_ != 0) {
    long rc = deferred_;
    deferred_ = 0;
    return rc;
  }
  read_wants_ = kNoWant;
  size_t total = 0;
  for (int i = 0; i < count; ++i) {
    size_t got = 0;
    clear_errors();
    int rc = SSL_read_ex(ssl_, iov[i].iov_base, iov[i].iov_len, &got);
    if (rc == 1) {
      drained_ = false;
      total += got;
      if (got < iov[i].iov_len) break;
      continue;
    }
    long st = status(rc, Op::read, fd);
    if (total == 0) return st;
    // Bytes first; an end or a failure is reported by the next call.
    if (st != -EAGAIN) deferred_ = st;
    break;
  }
  return static_cast<long>(total);
}

// OpenSSL has no gathered write: one buffer is written as it is (the records are encrypted
// from it directly), and several small ones are first gathered into one record, so that a
// chain of small pieces does not become a chain of small records. A write that returned
// want-write is retried with the same leading bytes, as SSL_write requires; the moving
// buffer mode allows them at another address.
long TlsTransport::write(int fd, const iovec* iov, int count) {
  write_wants_ = kNoWant;
  const void* data = iov[0].iov_base;
  size_t len = iov[0].iov_len;
  thread_local char gathered[kRecordSize];
  if (count > 1 && len < kRecordSize) {
    len = 0;
    for (int i = 0; i < count && len < kRecordSize; ++i) {
      size_t take = std::min(iov[i].iov_len, kRecordSize - len);
      std::memcpy(gathered + len, iov[i].iov_base, take);
      len += take;
    }
    data = gathered;
  }
  size_t written = 0;
  clear_errors();
  int rc = SSL_write_ex(ssl_, data, len, &written);
  if (rc == 1) return static_cast<long>(written);
  return status(rc, Op::write, fd);
}

long TlsTransport::send_file(int fd, int file, uint64_t offset, size_t n) {
  if (!ktls_send_) return -EOPNOTSUPP;
  write_wants_ = kNoWant;
  clear_errors();
  ossl_ssize_t rc = SSL_sendfile(ssl_, file, static_cast<off_t>(offset), n, 0);
  if (rc >= 0) return static_cast<long>(rc);
  return status(static_cast<int>(rc), Op::write, fd);
}

bool TlsTransport::send_close_notify() {
  if (notified_ || failed_ || !established_) return false;
  notified_ = true;
  ERR_clear_error();
  // One call sends our close_notify; the peer's is read like any input (SSL_read returns 0).
  // A full socket buffer loses it, which the peer sees as an unexpected end of file.
  errno = 0;
  SSL_shutdown(ssl_);
  if (errno == EPIPE) discard_sigpipe();
  ERR_clear_error();
  return true;
}

long TlsTransport::shutdown_write(int fd) {
  send_close_notify();
  return ::shutdown(fd, SHUT_WR) < 0 ? -errno : 0;
}

void TlsTransport::goodbye(int) {
  send_close_notify();
}

bool TlsTransport::pending_input() const {
  // SSL_has_pending: decrypted bytes, or records read ahead from the socket and not yet
  // decrypted (a partial one makes the next read return -EAGAIN, which ends the loop).
  if (SSL_has_pending(ssl_) || deferred_ != 0) return true;
  // Edge-triggered polling reports the socket once: read until OpenSSL finds it empty.
  return edge_triggered_ && established_ && !drained_;
}

long TlsTransport::status(int rc, Op op, int fd) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      if (op == Op::handshake) handshake_wants_ = kWantRead;
      if (op == Op::write) write_wants_ = kWantRead;
      if (op == Op::read) drained_ = true;
      return -EAGAIN;
    case SSL_ERROR_WANT_WRITE:
      if (op == Op::handshake) handshake_wants_ = kWantWrite;
      if (op == Op::read) read_wants_ = kWantWrite;
      return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:  // The peer's close_notify: a clean end of its input.
      return op == Op::read ? 0 : -EPIPE;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        failed_ = true;
        if (saved_errno == EPIPE) discard_sigpipe();
        if (saved_errno != 0) return -saved_errno;
        return fail(static_cast<int>(tls::Errc::unexpected_eof), fd, static_cast<int>(op));
      }
      break;
    default: break;
  }
  unsigned long e = ERR_peek_last_error();
  int reason = ERR_GET_LIB(e) == ERR_LIB_SSL ? ERR_GET_REASON(e) : 0;
  tls::Errc code = op == Op::handshake ? tls::Errc::handshake_failed : tls::Errc::protocol_error;
  if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    code = tls::Errc::unexpected_eof;
  } else if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED || reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE ||
             SSL_get_verify_result(ssl_) != X509_V_OK) {
    code = tls::Errc::verify_failed;
  } else if (reason == ERR_R_MALLOC_FAILURE || reason == ERR_R_INTERNAL_ERROR) {
    code = tls::Errc::internal_error;
  }
  return fail(static_cast<int>(code), fd, static_cast<int>(op));
}

long TlsTransport::fail(int code, int fd, int op) {
  failed_ = true;
  events_.failures.fetch_add(1, std::memory_order_relaxed);
  if (handshaking_) {
    handshaking_ = false;
    events_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
  }
  std::string reason = take_openssl_errors();
  if (code == static_cast<int>(tls::Errc::verify_failed)) {
    long v = SSL_get_verify_result(ssl_);
    if (v != X509_V_OK) reason += std::string(reason.empty() ? "" : "; ") + X509_verify_cert_error_string(v);
  }
  // A peer that connects and leaves before saying anything (a port probe) is not news.
  const bool quiet = code == static_cast<int>(tls::Errc::unexpected_eof) && !established_;
  if (log_allowed()) {
    Address peer = peer_address(fd);
    WEFT_LOG(quiet ? LogLevel::debug : LogLevel::warn, "TLS %s with %s failed: %s (%s)", op_name(op),
             peer.valid() ? peer.to_string().c_str() : "a peer that has left",
             tls::make_error_code(static_cast<tls::Errc>(code)).message().c_str(),
             reason.empty() ? "no reason from OpenSSL" : reason.c_str());
  }
  return -(kTlsBase + code);
}

std::error_code TlsTransport::failure(long rc) const {
  if (rc <= -kTlsBase) return tls::make_error_code(static_cast<tls::Errc>(-rc - kTlsBase));
  return {static_cast<int>(-rc), std::system_category()};
}

void TlsTransport::describe(TransportInfo& info) const {
  info.name = name();
  if (!established_) return;
  info.version = SSL_get_version(ssl_);
  info.cipher = SSL_get_cipher_name(ssl_);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl_, &alpn, &alpn_len);
  if (alpn != nullptr) info.alpn = std::string_view(reinterpret_cast<const char*>(alpn), alpn_len);
  if (const char* sni = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name)) info.server_name = sni;
  info.resumed = SSL_session_reused(ssl_) != 0;
  info.kernel_send = ktls_send_;
  info.kernel_receive = ktls_receive_;
  if (X509* peer = SSL_get0_peer_certificate(ssl_)) {
    info.peer_verified = SSL_get_verify_result(ssl_) == X509_V_OK;
    char line[256];
    X509_NAME_oneline(X509_get_subject_name(peer), line, sizeof line);
    info.peer_subject = line;
  }
}

}  // namespace weft::detail
