#pragma once
// A connection in miniature, for codec tests and fuzzers: undecoded bytes wait in a Buffer
// of small blocks (so views have many segments) and each arriving chunk is offered after
// them, as the loop's read area is. decode_frames runs over that view and the driver drops
// what it consumed, keeping the rest. The same driver feeds an input whole, byte by byte,
// split into reads, or as one read whose view is cut into segments; every way of feeding
// must give the same events.

#include <algorithm>
#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "weft/codec/codec.h"
#include "weft/codec/decode_loop.h"
#include "weft/core/block_pool.h"
#include "weft/core/buffer.h"
#include "weft/core/input_view.h"

namespace weft::codec::testing {

struct Event {
  std::string payload;  // A frame's payload; empty for an error.
  uint32_t type = 0;
  std::error_code error;  // Set for an error.
  bool fatal = false;

  bool operator==(const Event&) const = default;
};

inline Event frame(std::string_view payload, uint32_t type = 0) {
  return {std::string(payload), type, {}, false};
}
inline Event error(Errc code, bool fatal = false) {
  return {{}, 0, code, fatal};
}

inline std::ostream& operator<<(std::ostream& os, const Event& e) {
  if (e.error) return os << "error(" << e.error.message() << (e.fatal ? ", fatal)" : ")");
  os << "frame(\"";
  for (unsigned char c : e.payload) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      os << c;
    } else {
      static const char kHex[] = "0123456789abcdef";
      os << "\\x" << kHex[c >> 4] << kHex[c & 15];
    }
  }
  os << '"';
  if (e.type != 0) os << ", type " << e.type;
  return os << ")";
}

class Driver {
 public:
  explicit Driver(Decoder& decoder, size_t block_size = 7) : decoder_(decoder), pool_(block_size), pending_(pool_) {}

  // One read: offers the pending bytes followed by `parts` (the read area, possibly cut
  // into several segments) in one view. Returns false once a fatal error has stopped
  // decoding; later reads are ignored.
  bool feed(std::span<const std::string_view> parts) {
    if (failed_) return false;
    segments_.clear();
    pending_.segments(segments_);
    segments_.insert(segments_.end(), parts.begin(), parts.end());
    InputView view{std::span<const std::string_view>(segments_)};
    DecodeResult r = decode_frames(
        decoder_, view, scratch_, [this](const Frame& f) { events_.push_back(frame(f.payload, f.type)); },
        [this](std::error_code ec, bool fatal) {
          events_.push_back({{}, 0, ec, fatal});
        });
    if (r.error) {
      failed_ = true;
      return false;
    }
    // Keep what was not consumed: first drop from the pending bytes, then from the read.
    size_t consumed = r.consumed;
    const size_t from_pending = std::min(consumed, pending_.size());
    pending_.consume(from_pending);
    consumed -= from_pending;
    for (std::string_view p : parts) {
      const size_t drop = std::min(consumed, p.size());
      consumed -= drop;
      pending_.append(p.substr(drop));
    }
    max_pending_ = std::max(max_pending_, pending_.size());
    return true;
  }

  bool feed(std::string_view chunk) { return feed(std::span<const std::string_view>(&chunk, 1)); }

  const std::vector<Event>& events() const { return events_; }
  size_t pending() const { return pending_.size(); }
  size_t max_pending() const { return max_pending_; }  // The most bytes kept between reads.
  bool failed() const { return failed_; }

 private:
  Decoder& decoder_;
  BlockPool pool_;
  Buffer pending_;
  std::vector<std::string_view> segments_;
  std::string scratch_;
  std::vector<Event> events_;
  size_t max_pending_ = 0;
  bool failed_ = false;
};

struct Outcome {
  std::vector<Event> events;
  size_t max_pending = 0;
  bool failed = false;
};

// Feeds input as separate reads, cut before each offset in `cuts` (ascending).
inline Outcome feed_reads(Decoder& decoder, std::string_view input, std::span<const size_t> cuts,
                          size_t block_size = 7) {
  Driver driver(decoder, block_size);
  size_t at = 0;
  for (size_t cut : cuts) {
    driver.feed(input.substr(at, cut - at));
    at = cut;
  }
  driver.feed(input.substr(at));
  return {driver.events(), driver.max_pending(), driver.failed()};
}

// Feeds input as one read whose view is cut into segments before each offset in `cuts`.
inline Outcome feed_segments(Decoder& decoder, std::string_view input, std::span<const size_t> cuts) {
  std::vector<std::string_view> parts;
  size_t at = 0;
  for (size_t cut : cuts) {
    parts.push_back(input.substr(at, cut - at));
    at = cut;
  }
  parts.push_back(input.substr(at));
  Driver driver(decoder);
  driver.feed(std::span<const std::string_view>(parts));
  return {driver.events(), driver.max_pending(), driver.failed()};
}

inline Outcome feed_whole(Decoder& decoder, std::string_view input) {
  return feed_reads(decoder, input, {});
}

inline Outcome feed_bytewise(Decoder& decoder, std::string_view input) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return feed_reads(decoder, input, cuts);
}

}  // namespace weft::codec::testing
