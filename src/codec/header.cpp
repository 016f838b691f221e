#include "weft/codec/header.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "codec/byte_order.h"

namespace weft::codec {
namespace {

std::array<char, 5> magic_and_version(const HeaderOptions& options) {
  if (options.magic.size() != 4) {
    throw std::invalid_argument("HeaderOptions: magic must be exactly 4 bytes (got " +
                                std::to_string(options.magic.size()) + ")");
  }
  std::array<char, 5> out{};
  std::memcpy(out.data(), options.magic.data(), 4);
  out[4] = static_cast<char>(options.version);
  return out;
}

}  // namespace

HeaderDecoder::HeaderDecoder(const HeaderOptions& options)
    : expected_(magic_and_version(options)), max_payload_(options.max_payload) {}

void HeaderDecoder::reset() {
  discard_left_ = 0;
}

Decoded HeaderDecoder::decode(const InputView& in) {
  const size_t n = in.size();
  if (discard_left_ > 0) {
    const uint64_t take = std::min<uint64_t>(discard_left_, n);
    if (take == 0) return Decoded::make_need_more(1);
    discard_left_ -= take;
    return Decoded::make_skip(static_cast<size_t>(take));
  }
  char tmp[kHeaderSize];
  const size_t seen = std::min(n, kHeaderSize);
  const char* head = detail::peek(in, 0, seen, tmp);
  // Magic and version are checked as far as they have arrived.
  if (std::memcmp(head, expected_.data(), std::min(seen, expected_.size())) != 0) {
    return Decoded::make_error(Errc::protocol_error, 0, true);
  }
  if (n < kHeaderSize) return Decoded::make_need_more(kHeaderSize - n);

  const auto type = static_cast<uint32_t>(detail::load_uint(head + 5, 2, std::endian::big));
  const uint64_t length = detail::load_uint(head + 7, 4, std::endian::big);
  const uint64_t total = kHeaderSize + length;
  if (length > max_payload_) {
    if (n >= total) return Decoded::make_error(Errc::frame_too_long, static_cast<size_t>(total), false);
    discard_left_ = total - n;
    return Decoded::make_error(Errc::frame_too_long, n, false);
  }
  if (n < total) return Decoded::make_need_more(static_cast<size_t>(total - n));
  return Decoded::make_frame(static_cast<size_t>(total), kHeaderSize, static_cast<size_t>(length), type);
}

HeaderEncoder::HeaderEncoder(const HeaderOptions& options)
    : prefix_(magic_and_version(options)), max_payload_(options.max_payload) {}

std::error_code HeaderEncoder::do_encode(std::string_view payload, Buffer& out, uint32_t type) const {
  if (type > 0xffff) return std::make_error_code(std::errc::invalid_argument);
  if (payload.size() > max_payload_) return Errc::frame_too_long;
  char head[HeaderDecoder::kHeaderSize];
  std::memcpy(head, prefix_.data(), prefix_.size());
  detail::store_uint(head + 5, type, 2, std::endian::big);
  detail::store_uint(head + 7, payload.size(), 4, std::endian::big);
  out.append(head, sizeof head);
  out.append(payload);
  return {};
}

CodecFactory header_codec(const HeaderOptions& options) {
  return detail::make_codec_factory(HeaderDecoder(options), HeaderEncoder(options));
}

}  // namespace weft::codec
