#pragma once
// Client frames for the WebSocket tests and the ws_frame fuzzer, and a driver that feeds a
// MessageDecoder in the pieces given and records its events, one line each:
// "text <payload>", "binary <size>", "ping <payload>", "pong <payload>",
// "close <code> <reason>", "error <code>". Like a server it stops at an error or a close.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ws/message_decoder.h"

namespace weft::ws::testing {

// One client frame: masked with key (unless masked is false), with the given first byte
// flags and opcode.
inline std::string client_frame(uint8_t opcode, std::string_view payload, bool fin = true, bool rsv1 = false,
                                bool masked = true, uint32_t key = 0x12345678) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0F));
  const uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(mask_bit | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size());
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>(static_cast<uint64_t>(payload.size()) >> (8 * i));
  }
  const char k[4] = {static_cast<char>(key >> 24), static_cast<char>(key >> 16), static_cast<char>(key >> 8),
                     static_cast<char>(key)};
  if (masked) f.append(k, 4);
  for (size_t i = 0; i < payload.size(); ++i) f += masked ? static_cast<char>(payload[i] ^ k[i % 4]) : payload[i];
  return f;
}

inline std::string close_payload(uint16_t code, std::string_view reason = {}) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code);
  p += reason;
  return p;
}

struct WsOutcome {
  std::vector<std::string> events;
  bool operator==(const WsOutcome& other) const = default;
};

class WsDriver {
 public:
  WsDriver(size_t max_message, bool deflate)
      : inflater_(deflate ? new detail::Inflater() : nullptr), decoder_(max_message, inflater_.get(), false) {}

  WsOutcome run(std::string_view input, const std::vector<size_t>& cuts) {
    size_t from = 0;
    for (size_t i = 0; i <= cuts.size() && !done_; ++i) {
      const size_t to = i < cuts.size() ? cuts[i] : input.size();
      std::string_view piece = input.substr(from, to - from);
      from = to;
      while (!piece.empty() && !done_) {
        const detail::MessageDecoder::Step step = decoder_.feed(piece);
        piece.remove_prefix(step.used);
        record(step.event);
        if (step.event == detail::MessageDecoder::Event::need_more) break;
      }
    }
    return outcome_;
  }

 private:
  void record(detail::MessageDecoder::Event e) {
    using E = detail::MessageDecoder::Event;
    const std::string payload(e == E::error ? std::string_view() : decoder_.payload());
    switch (e) {
      case E::need_more: return;
      case E::message:
        outcome_.events.push_back(decoder_.type() == MessageType::text ? "text " + payload
                                                                       : "binary " + std::to_string(payload.size()));
        return;
      case E::ping: outcome_.events.push_back("ping " + payload); return;
      case E::pong: outcome_.events.push_back("pong " + payload); return;
      case E::close:
        outcome_.events.push_back("close " + std::to_string(decoder_.code()) + " " + payload);
        done_ = true;
        return;
      case E::error:
        outcome_.events.push_back("error " + std::to_string(decoder_.code()));
        done_ = true;
        return;
    }
  }

  std::unique_ptr<detail::Inflater> inflater_;
  detail::MessageDecoder decoder_;
  WsOutcome outcome_;
  bool done_ = false;
};

}  // namespace weft::ws::testing
