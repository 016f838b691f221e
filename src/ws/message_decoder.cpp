#include "ws/message_decoder.h"

#include <algorithm>
#include <cstring>

namespace weft::ws::detail {
namespace {

constexpr size_t kKeptCapacity = 256 * 1024;

}  // namespace

MessageDecoder::MessageDecoder(size_t max_message, Inflater* inflater, bool reset_inflater)
    : max_message_(max_message), inflater_(inflater), reset_inflater_(reset_inflater) {}

MessageDecoder::Step MessageDecoder::fail(uint16_t code, const char* reason, size_t used) {
  failed_ = true;
  code_ = code;
  reason_ = reason;
  return {Event::error, used};
}

MessageDecoder::Step MessageDecoder::feed(std::string_view bytes) {
  if (failed_) return {Event::error, 0};
  payload_ = {};  // The last event's view may point into storage this call reuses.
  size_t used = 0;
  while (used < bytes.size()) {
    if (!in_payload_) {
      // The header: two bytes say how long it is.
      const size_t need = header_have_ < 2 ? 2 : header_size(static_cast<uint8_t>(header_[1]));
      const size_t take = std::min(need - header_have_, bytes.size() - used);
      std::memcpy(header_ + header_have_, bytes.data() + used, take);
      header_have_ += take;
      used += take;
      if (header_have_ < need) continue;
      if (need == 2 && header_size(static_cast<uint8_t>(header_[1])) > 2) continue;
      parse_header(std::string_view(header_, header_have_), frame_);
      header_have_ = 0;
      const FrameHeader& h = frame_;
      if (!h.masked) return fail(close_code::protocol_error, "unmasked client frame", used);
      if (h.rsv2 || h.rsv3) return fail(close_code::protocol_error, "reserved bit set", used);
      if (!h.minimal_length || (h.length >> 63) != 0) {
        return fail(close_code::protocol_error, "frame length not in its shortest form", used);
      }
      if (is_control(h.opcode)) {
        if (h.opcode != kClose && h.opcode != kPing && h.opcode != kPong) {
          return fail(close_code::protocol_error, "unknown opcode", used);
        }
        if (!h.fin) return fail(close_code::protocol_error, "fragmented control frame", used);
        if (h.length > 125) return fail(close_code::protocol_error, "control frame longer than 125 bytes", used);
        if (h.rsv1) return fail(close_code::protocol_error, "reserved bit set on a control frame", used);
        control_.clear();
      } else {
        if (h.opcode != kContinuation && h.opcode != kText && h.opcode != kBinary) {
          return fail(close_code::protocol_error, "unknown opcode", used);
        }
        if (h.opcode == kContinuation) {
          if (!in_message_) return fail(close_code::protocol_error, "continuation without a message", used);
          if (h.rsv1) return fail(close_code::protocol_error, "RSV1 on a continuation frame", used);
        } else {
          if (in_message_) return fail(close_code::protocol_error, "a new message before the last one ended", used);
          if (h.rsv1 && inflater_ == nullptr) return fail(close_code::protocol_error, "RSV1 without compression", used);
          in_message_ = true;
          compressed_ = h.rsv1;
          message_type_ = h.opcode == kText ? MessageType::text : MessageType::binary;
          // A burst of large messages should not leave its buffers behind for good.
          message_.clear_and_trim(kKeptCapacity);
          if (inflated_.capacity() > kKeptCapacity) std::string().swap(inflated_);
          utf8_.reset();
        }
        if (h.length > max_message_ - std::min(max_message_, message_.size())) {
          return fail(close_code::message_too_big, "message too big", used);
        }
      }
      in_payload_ = true;
      payload_read_ = 0;
      if (h.length == 0) {
        in_payload_ = false;
        Step s = frame_done(used);
        if (s.event != Event::need_more) return s;
      }
      continue;
    }
    // The payload, unmasked as it is copied.
    const size_t take = static_cast<size_t>(std::min<uint64_t>(frame_.length - payload_read_, bytes.size() - used));
    char* into = (is_control(frame_.opcode) ? control_ : message_).grow(take);
    unmask_copy(into, bytes.data() + used, take, frame_.mask, payload_read_);
    if (!is_control(frame_.opcode) && message_type_ == MessageType::text && !compressed_ &&
        !utf8_.feed(std::string_view(into, take))) {
      return fail(close_code::invalid_data, "text is not UTF-8", used + take);
    }
    used += take;
    payload_read_ += take;
    if (payload_read_ == frame_.length) {
      in_payload_ = false;
      Step s = frame_done(used);
      if (s.event != Event::need_more) return s;
    }
  }
  return {Event::need_more, used};
}

MessageDecoder::Step MessageDecoder::frame_done(size_t used) {
  switch (frame_.opcode) {
    case kPing: payload_ = control_.view(); return {Event::ping, used};
    case kPong: payload_ = control_.view(); return {Event::pong, used};
    case kClose: {
      if (control_.size() == 1) return fail(close_code::protocol_error, "close payload of one byte", used);
      code_ = close_code::no_status;
      payload_ = {};
      if (control_.size() >= 2) {
        const std::string_view control = control_.view();
        code_ = static_cast<uint16_t>(static_cast<uint8_t>(control[0]) << 8 | static_cast<uint8_t>(control[1]));
        if (!sendable_close_code(code_)) return fail(close_code::protocol_error, "invalid close code", used);
        payload_ = control.substr(2);
        if (!valid_utf8(payload_)) return fail(close_code::invalid_data, "close reason is not UTF-8", used);
      }
      return {Event::close, used};
    }
    default: break;
  }
  if (!frame_.fin) return {Event::need_more, used};
  // A whole message.
  in_message_ = false;
  type_ = message_type_;
  if (compressed_) {
    const Inflater::Result r = inflater_->inflate(message_.view(), inflated_, max_message_, reset_inflater_);
    if (r == Inflater::Result::too_big) return fail(close_code::message_too_big, "message too big", used);
    if (r == Inflater::Result::corrupt) return fail(close_code::protocol_error, "bad compressed data", used);
    if (type_ == MessageType::text && !valid_utf8(inflated_)) {
      return fail(close_code::invalid_data, "text is not UTF-8", used);
    }
    payload_ = inflated_;
    return {Event::message, used};
  }
  if (type_ == MessageType::text && !utf8_.complete()) return fail(close_code::invalid_data, "text is not UTF-8", used);
  payload_ = message_.view();
  return {Event::message, used};
}

}  // namespace weft::ws::detail
