#pragma once
// decode_frames runs a Decoder over buffered bytes until it needs more input, fails fatally,
// or the frame callback asks to stop, and says how many bytes the caller may now drop. It
// is the loop a connection runs on every read:
//
//   DecodeResult r = decode_frames(decoder, conn.inbound(), scratch, on_frame, on_error);
//   conn.discard(r.consumed);
//   if (r.error) conn.close();
//
// A payload that lies in one segment is handed out as a view of it; one that spans segments
// is copied into `scratch` (whose capacity is reused). Either way the view is valid only
// during the on_frame call.

#include <cassert>
#include <string>
#include <system_error>
#include <type_traits>

#include "weft/codec/codec.h"
#include "weft/core/input_view.h"

namespace weft::codec {

struct DecodeResult {
  size_t consumed = 0;    // Bytes to drop from the input.
  size_t frames = 0;      // Frames handed to on_frame.
  size_t need = 0;        // When stopped for input: at least this many more bytes.
  std::error_code error;  // The fatal error that stopped decoding, if any.
  bool stopped = false;   // on_frame returned false.
};

// on_frame(const Frame&) returns void, or bool where false stops after that frame.
// on_error(std::error_code, bool fatal) sees every error; decoding stops after a fatal one.
template <class OnFrame, class OnError>
DecodeResult decode_frames(Decoder& decoder, const InputView& in, std::string& scratch, OnFrame&& on_frame,
                           OnError&& on_error) {
  DecodeResult result;
  InputView rest = in;
  for (;;) {
    Decoded d = decoder.decode(rest);
    if (d.kind == Decoded::Kind::need_more) {
      result.need = d.need;
      return result;
    }
    // Every other answer consumes at least one byte; a decoder that breaks this would spin.
    assert(d.consumed > 0 || (d.kind == Decoded::Kind::error && d.fatal));
    if (d.kind == Decoded::Kind::frame) {
      Frame frame{rest.slice(d.payload_offset, d.payload_size, scratch), d.type};
      result.consumed += d.consumed;
      ++result.frames;
      rest = rest.subview(d.consumed);
      if constexpr (std::is_same_v<decltype(on_frame(frame)), bool>) {
        if (!on_frame(frame)) {
          result.stopped = true;
          return result;
        }
      } else {
        on_frame(frame);
      }
      continue;
    }
    result.consumed += d.consumed;
    rest = rest.subview(d.consumed);
    if (d.kind == Decoded::Kind::error) {
      on_error(d.error, d.fatal);
      if (d.fatal) {
        result.error = d.error;
        return result;
      }
    }
    if (d.consumed == 0) {
      result.need = 1;
      return result;
    }
  }
}

}  // namespace weft::codec
