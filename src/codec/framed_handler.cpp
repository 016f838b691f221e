#include "weft/codec/framed_handler.h"

#include <memory>
#include <stdexcept>
#include <string>

#include "weft/codec/decode_loop.h"

namespace weft::codec {
namespace {

struct CodecAttachment final : Conn::Attachment {
  explicit CodecAttachment(std::unique_ptr<Codec> c) : codec(std::move(c)) {}
  std::unique_ptr<Codec> codec;
};

// Payloads that span blocks are joined here; one per loop thread, reused.
thread_local std::string t_scratch;

}  // namespace

FramedHandler::FramedHandler(CodecFactory factory) : factory_(std::move(factory)) {
  if (!factory_) throw std::invalid_argument("FramedHandler: the codec factory is empty");
}

Codec& FramedHandler::codec_of(Conn& conn) {
  // FramedHandler is the only user of the attachment slot on its own connections.
  auto* attached = static_cast<CodecAttachment*>(conn.attachment());
  if (attached == nullptr) {
    auto fresh = std::make_unique<CodecAttachment>(factory_());
    attached = fresh.get();
    conn.attach(std::move(fresh));
  }
  return *attached->codec;
}

void FramedHandler::on_traffic(Conn& conn) {
  Codec& codec = codec_of(conn);
  DecodeResult r = decode_frames(
      codec.decoder(), conn.inbound(), t_scratch,
      [&](const Frame& frame) {
        on_message(conn, frame);
        return !conn.closing();
      },
      [&](std::error_code error, bool fatal) { on_decode_error(conn, error, fatal); });
  conn.discard(r.consumed);
  if (r.error) conn.close(r.error);
}

std::error_code FramedHandler::send_frame(Conn& conn, std::string_view payload, uint32_t type) {
  if (!conn.writable()) return make_error_code(Errc::closed);
  if (std::error_code ec = codec_of(conn).encoder().encode(payload, conn.output(), type)) return ec;
  return conn.commit_output();
}

}  // namespace weft::codec
