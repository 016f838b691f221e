#pragma once
// MessageDecoder: the server side of RFC 6455's framing. It reads client frames from the
// bytes it is fed (in pieces of any size), unmasks them, joins fragments, inflates
// permessage-deflate messages, validates text, and reports one event at a time: a whole
// message, a ping, a pong, a close, or the error that must close the connection with its
// status code:
//   1002 an unmasked frame; a reserved bit (RSV1 outside a compressed message's first
//        frame; RSV2, RSV3 always); an unknown opcode; a control frame that is fragmented
//        or longer than 125 bytes; a length not in its shortest form or with its top bit
//        set; a continuation with no message started, or a new message before the last
//        one ended; a close payload of one byte or with a code that may not be sent;
//        a compressed message that does not inflate
//   1007 text (or a close reason) that is not UTF-8
//   1009 a message (compressed or not) longer than max_message
// Text is validated as it arrives, so a bad byte is reported without waiting for the rest.
// The same bytes give the same events however they are cut.
//
// Loop thread of the connection (or the fuzzer).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "weft/ws/frame.h"
#include "ws/deflate.h"
#include "ws/frame_codec.h"
#include "ws/payload_buffer.h"
#include "ws/utf8.h"

namespace weft::ws::detail {

class MessageDecoder {
 public:
  enum class Event : uint8_t { need_more, message, ping, pong, close, error };
  struct Step {
    Event event = Event::need_more;
    size_t used = 0;  // Bytes consumed; offer the rest again.
  };

  // inflater: set when permessage-deflate was negotiated (reset_inflater: the client does
  // no context takeover).
  MessageDecoder(size_t max_message, Inflater* inflater, bool reset_inflater);

  // Consumes bytes up to and including the next event. After an error it answers the
  // same error again, using nothing.
  Step feed(std::string_view bytes);

  // After message, ping, pong: the payload; after close: the reason. Valid until the
  // next feed().
  std::string_view payload() const { return payload_; }
  MessageType type() const { return type_; }
  // After close: the code received (1005 if none). After error: the code to close with.
  uint16_t code() const { return code_; }
  const char* error_reason() const { return reason_; }

 private:
  Step fail(uint16_t code, const char* reason, size_t used);
  // The current frame's payload is complete.
  Step frame_done(size_t used);

  size_t max_message_;
  Inflater* inflater_;
  bool reset_inflater_;

  // The frame being read.
  char header_[kMaxHeaderSize];
  size_t header_have_ = 0;
  FrameHeader frame_;
  bool in_payload_ = false;
  uint64_t payload_read_ = 0;

  // The message being assembled (data frames) and the control frame being read.
  bool in_message_ = false;
  bool compressed_ = false;
  MessageType message_type_ = MessageType::text;
  PayloadBuffer message_;
  PayloadBuffer control_;
  std::string inflated_;
  Utf8Validator utf8_;

  std::string_view payload_;
  MessageType type_ = MessageType::text;
  uint16_t code_ = 0;
  const char* reason_ = "";
  bool failed_ = false;
};

}  // namespace weft::ws::detail
