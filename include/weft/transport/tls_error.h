#pragma once
// TLS failures as std::error_code values in one category ("tls"). A connection that fails
// its TLS handshake or a TLS record closes with one of these as its error; the log line
// written at the failure carries OpenSSL's own reason text and the peer's address.
// Transport-level errors underneath TLS (a reset, a broken pipe) keep the system category.

#include <system_error>

namespace weft::tls {

enum class Errc {
  handshake_failed = 1,  // The handshake failed (no shared protocol or cipher, a bad message, ...).
  verify_failed,         // The peer's certificate did not verify (chain, name, expiry).
  protocol_error,        // The peer broke TLS after the handshake (a bad record, plaintext).
  unexpected_eof,        // The peer closed the socket without close_notify.
  internal_error,        // OpenSSL failed locally (memory, configuration).
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace weft::tls

template <>
struct std::is_error_code_enum<weft::tls::Errc> : std::true_type {};
