#pragma once
// permessage-deflate (RFC 7692): negotiating its parameters from the client's offers, and
// the zlib streams that compress and decompress messages. A message is a raw DEFLATE
// stream flushed with Z_SYNC_FLUSH, without the final 00 00 ff ff, which the receiver
// appends back before inflating.

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "weft/ws/options.h"

namespace weft::ws::detail {

struct DeflateParams {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
};

// Picks the first permessage-deflate offer in a Sec-WebSocket-Extensions value that the
// server can accept. Returns false when there is none (or compression is off); otherwise
// fills params and the response's extension value.
bool negotiate_deflate(std::string_view offers, const Compression& config, DeflateParams& params,
                       std::string& response);

// Both streams set zlib up on first use: a connection that never sees a compressed
// message costs no zlib memory.
class Inflater {
 public:
  Inflater() = default;
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  enum class Result { ok, too_big, corrupt };
  // Inflates one whole message into out (replacing it), stopping past limit bytes.
  // reset: forget the context afterwards (no context takeover).
  Result inflate(std::string_view message, std::string& out, size_t limit, bool reset);

 private:
  z_stream stream_{};
  bool ready_ = false;
  bool failed_ = false;
};

class Deflater {
 public:
  explicit Deflater(int window_bits, int level = Z_DEFAULT_COMPRESSION) : window_bits_(window_bits), level_(level) {}
  ~Deflater();
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Compresses one message into out (replacing it). reset: no context takeover.
  bool deflate(std::string_view message, std::string& out, bool reset);

 private:
  z_stream stream_{};
  int window_bits_;
  int level_;
  bool ready_ = false;
  bool failed_ = false;
};

}  // namespace weft::ws::detail
