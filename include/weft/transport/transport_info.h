#pragma once
// TransportInfo: what a connection's transport negotiated, for logs, metrics and
// protocol choices (ALPN). Conn::transport_info() fills it; a plain TCP or Unix
// connection has only its name.
//
// Validity: the string views point into the transport and stay valid while the
// connection is open (until on_close returns). peer_subject is a copy.

#include <string>
#include <string_view>

namespace weft {

struct TransportInfo {
  const char* name = "tcp";      // "tcp", "tls" (user-space records), "ktls" (kernel records)
  std::string_view version;      // "TLSv1.3"
  std::string_view cipher;       // "TLS_AES_256_GCM_SHA384"
  std::string_view alpn;         // The protocol ALPN chose ("http/1.1"), or empty.
  std::string_view server_name;  // The name the client asked for (SNI), or empty.
  bool resumed = false;          // The handshake resumed an earlier session.
  bool kernel_send = false;      // The kernel writes the records (kTLS).
  bool kernel_receive = false;   // The kernel reads the records (kTLS).
  bool peer_verified = false;    // The peer showed a certificate that was verified.
  std::string peer_subject;      // That certificate's subject, one line ("CN=client,O=...").
};

}  // namespace weft
