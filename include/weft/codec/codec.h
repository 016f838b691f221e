#pragma once
// The framing contract. A Decoder looks at the buffered bytes of one connection and answers
// one Decoded step; an Encoder appends one framed message to an outbound Buffer. Codecs
// never do I/O and never throw on the data path: errors are status values.
//
// Decoder contract:
//   - decode() reads the InputView only; it never copies the payload (a header that spans
//     segments is copied into a small stack array) and never allocates the declared length
//     before the bytes arrive.
//   - Decoders are stateful (a too-long frame being discarded, how far a delimiter search
//     got). Each call must be given the bytes that remain after dropping the previous
//     answer's `consumed`, followed by any bytes that arrived since. reset() forgets the
//     state, for a fresh stream.
//   - Once max_buffered() bytes are offered, decode() makes progress: it never answers
//     need_more with that many bytes or more. A connection that keeps what is undecoded
//     therefore holds less than max_buffered() bytes between reads.
//   - Encoders check the message first and append nothing when they refuse it.
// A Decoder or Encoder belongs to one connection and is used by its loop thread only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

#include "weft/core/buffer.h"
#include "weft/core/error.h"
#include "weft/core/input_view.h"

namespace weft::codec {

// The answer of one decode step over the buffered bytes.
struct Decoded {
  enum class Kind {
    frame,      // A frame: payload_offset/payload_size within the input; drop `consumed`.
    need_more,  // Nothing to do until at least `need` more bytes arrive.
    skip,       // Drop `consumed` bytes (a too-long frame being discarded) and call again.
    error,      // Drop `consumed` bytes and report `error`; continue only if !fatal.
  };

  Kind kind = Kind::need_more;
  size_t consumed = 0;
  size_t payload_offset = 0;
  size_t payload_size = 0;
  size_t need = 0;  // A lower bound for scheduling only: never allocate by it.
  uint32_t type = 0;
  std::error_code error;
  // A fatal error means the stream can no longer be trusted (lost framing, wrong protocol);
  // the connection should be closed. A non-fatal one (a too-long frame that the decoder
  // discards) lets decoding continue with the next frame.
  bool fatal = true;

  static Decoded make_frame(size_t used, size_t offset, size_t size, uint32_t message_type = 0) {
    Decoded d;
    d.kind = Kind::frame;
    d.consumed = used;
    d.payload_offset = offset;
    d.payload_size = size;
    d.type = message_type;
    return d;
  }
  static Decoded make_need_more(size_t bytes) {
    Decoded d;
    d.need = bytes == 0 ? 1 : bytes;
    return d;
  }
  static Decoded make_skip(size_t used) {
    Decoded d;
    d.kind = Kind::skip;
    d.consumed = used;
    return d;
  }
  static Decoded make_error(Errc code, size_t used, bool is_fatal) {
    Decoded d;
    d.kind = Kind::error;
    d.consumed = used;
    d.error = code;
    d.fatal = is_fatal;
    return d;
  }
};

// A decoded message as handlers see it. The payload is valid only during the callback that
// receives it.
struct Frame {
  std::string_view payload;
  uint32_t type = 0;  // The message type, for codecs that carry one (the header protocol).
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual Decoded decode(const InputView& in) = 0;
  // Forgets all stream state (a frame being discarded, search progress).
  virtual void reset() = 0;
  // The most bytes that may sit undecoded before decode() must make progress.
  virtual size_t max_buffered() const = 0;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Appends payload framed to out. `type` is used by codecs that carry one and ignored by
  // the others. Returns an error, and appends nothing, when the message cannot be framed
  // (too long for the length field, the wrong size, contains the delimiter, ...).
  std::error_code encode(std::string_view payload, Buffer& out, uint32_t type = 0) const {
    return do_encode(payload, out, type);
  }

 private:
  virtual std::error_code do_encode(std::string_view payload, Buffer& out, uint32_t type) const = 0;
};

// One connection's decoder and encoder.
class Codec {
 public:
  virtual ~Codec() = default;
  virtual Decoder& decoder() = 0;
  virtual const Encoder& encoder() const = 0;
};

// Makes a fresh Codec for each connection. Factories returned by the codec headers have
// checked their options already, so calling one never throws std::invalid_argument.
using CodecFactory = std::function<std::unique_ptr<Codec>()>;

namespace detail {

template <class D, class E>
class CodecPair final : public Codec {
 public:
  CodecPair(D decoder, E encoder) : decoder_(std::move(decoder)), encoder_(std::move(encoder)) {}
  D& decoder() override { return decoder_; }
  const E& encoder() const override { return encoder_; }

 private:
  D decoder_;
  E encoder_;
};

// Builds D and E once (so bad options throw now, not per connection) and returns a
// factory that copies them.
template <class D, class E>
CodecFactory make_codec_factory(D decoder, E encoder) {
  return [decoder = std::move(decoder), encoder = std::move(encoder)]() -> std::unique_ptr<Codec> {
    D fresh = decoder;
    fresh.reset();
    return std::make_unique<CodecPair<D, E>>(std::move(fresh), encoder);
  };
}

}  // namespace detail
}  // namespace weft::codec
