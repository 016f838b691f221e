#pragma once
// FramedHandler: a Handler that speaks in frames. Give it a codec factory; every
// connection gets its own codec, inbound bytes are decoded in order, and each frame
// reaches on_message. Many frames in one read are delivered in order; a frame split
// across any number of reads is delivered once.
//
//   class Chat : public weft::codec::FramedHandler {
//    public:
//     Chat() : FramedHandler(weft::codec::length_field_codec()) {}
//     void on_message(weft::Conn& c, const weft::codec::Frame& f) override { send_frame(c, f.payload); }
//   };
//
// A fatal decode error (lost framing, a protocol error) closes the connection after its
// queued output is flushed, and on_close reports CloseReason::error with that code. A
// non-fatal one (a too-long frame the codec skips) is reported to on_decode_error and
// decoding goes on. The codec lives in the connection's attachment slot; the context slot
// stays the application's.

#include <string_view>
#include <system_error>

#include "weft/codec/codec.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"

namespace weft::codec {

class FramedHandler : public Handler {
 public:
  explicit FramedHandler(CodecFactory factory);

  // One decoded frame; its payload is valid until this returns. Do not call the
  // connection's inbound methods (peek, read, inbound) from here. Loop thread.
  virtual void on_message(Conn& conn, const Frame& frame) = 0;
  // Every decode error, before a fatal one closes the connection. Loop thread.
  virtual void on_decode_error(Conn&, std::error_code, bool /*fatal*/) {}

  // Encodes payload with the connection's codec and queues it. Returns the encoder's
  // refusal (nothing queued), or Errc::closed once the connection is closing. Loop thread.
  std::error_code send_frame(Conn& conn, std::string_view payload, uint32_t type = 0);

  void on_traffic(Conn& conn) final;

 private:
  Codec& codec_of(Conn& conn);

  CodecFactory factory_;
};

}  // namespace weft::codec
