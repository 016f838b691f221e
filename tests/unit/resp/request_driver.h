#pragma once
// A connection in miniature for RequestParser tests and the fuzzer: unparsed bytes wait in
// a Buffer of small blocks (so views have many segments) and each arriving chunk is offered
// after them, as the loop's read area is. The parse loop runs over that view as a server
// runs it, and the driver drops what was consumed. Feeding an input whole, byte by byte,
// split into reads or as one read cut into segments must give the same events.

#include <algorithm>
#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/block_pool.h"
#include "weft/core/buffer.h"
#include "weft/core/input_view.h"
#include "weft/resp/request_parser.h"

namespace weft::resp::testing {

// A request's arguments, or a protocol error (then args is empty).
struct Event {
  std::vector<std::string> args;
  ProtocolError error = ProtocolError::none;
  char got = 0;
  bool operator==(const Event&) const = default;
};

inline Event request(std::vector<std::string> args) {
  return {std::move(args), ProtocolError::none, 0};
}
inline Event error(ProtocolError e, char got = 0) {
  return {{}, e, got};
}

inline std::ostream& operator<<(std::ostream& os, const Event& e) {
  if (e.error != ProtocolError::none) return os << "error(" << message(e.error, e.got) << ")";
  os << "request(";
  for (size_t i = 0; i < e.args.size(); ++i) {
    os << (i ? " " : "") << '"';
    for (unsigned char c : e.args[i]) {
      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
        os << c;
      } else {
        static const char kHex[] = "0123456789abcdef";
        os << "\\x" << kHex[c >> 4] << kHex[c & 15];
      }
    }
    os << '"';
  }
  return os << ")";
}

class Driver {
 public:
  explicit Driver(RequestParser& parser, size_t block_size = 7) : parser_(parser), pool_(block_size), pending_(pool_) {}

  // One read: the pending bytes followed by `parts`. Returns false once an error stopped
  // parsing; later reads are ignored.
  bool feed(std::span<const std::string_view> parts) {
    if (failed_) return false;
    segments_.clear();
    pending_.segments(segments_);
    segments_.insert(segments_.end(), parts.begin(), parts.end());
    const InputView view{std::span<const std::string_view>(segments_)};
    size_t used = 0;
    for (;;) {
      // Both forms of parse(), taking turns: they must agree.
      const ParseResult r = (calls_++ % 2 == 0) ? parser_.parse(view.subview(used)) : parser_.parse(view, used);
      used += r.consumed;
      if (r.kind == ParseResult::Kind::need_more) break;
      if (r.kind == ParseResult::Kind::error) {
        events_.push_back(error(r.error, r.got));
        failed_ = true;
        return false;
      }
      Event e;
      for (std::string_view a : parser_.args()) e.args.emplace_back(a);
      events_.push_back(std::move(e));
    }
    const size_t from_pending = std::min(used, pending_.size());
    pending_.consume(from_pending);
    used -= from_pending;
    for (std::string_view p : parts) {
      const size_t drop = std::min(used, p.size());
      used -= drop;
      pending_.append(p.substr(drop));
    }
    max_pending_ = std::max(max_pending_, pending_.size());
    return true;
  }
  bool feed(std::string_view chunk) { return feed(std::span<const std::string_view>(&chunk, 1)); }

  const std::vector<Event>& events() const { return events_; }
  size_t pending() const { return pending_.size(); }
  size_t max_pending() const { return max_pending_; }
  bool failed() const { return failed_; }

 private:
  RequestParser& parser_;
  BlockPool pool_;
  Buffer pending_;
  std::vector<std::string_view> segments_;
  std::vector<Event> events_;
  size_t max_pending_ = 0;
  size_t calls_ = 0;
  bool failed_ = false;
};

struct Outcome {
  std::vector<Event> events;
  size_t max_pending = 0;
  size_t pending = 0;
  bool failed = false;
  bool operator==(const Outcome&) const = default;
};

// Feeds input as separate reads, cut before each offset in `cuts` (ascending).
inline Outcome feed_reads(RequestParser& parser, std::string_view input, std::span<const size_t> cuts,
                          size_t block_size = 7) {
  Driver driver(parser, block_size);
  size_t at = 0;
  for (size_t cut : cuts) {
    driver.feed(input.substr(at, cut - at));
    at = cut;
  }
  driver.feed(input.substr(at));
  return {driver.events(), driver.max_pending(), driver.pending(), driver.failed()};
}

// Feeds input as one read whose view is cut into segments before each offset in `cuts`.
inline Outcome feed_segments(RequestParser& parser, std::string_view input, std::span<const size_t> cuts) {
  std::vector<std::string_view> parts;
  size_t at = 0;
  for (size_t cut : cuts) {
    parts.push_back(input.substr(at, cut - at));
    at = cut;
  }
  parts.push_back(input.substr(at));
  Driver driver(parser);
  driver.feed(std::span<const std::string_view>(parts));
  return {driver.events(), driver.max_pending(), driver.pending(), driver.failed()};
}

inline Outcome feed_whole(RequestParser& parser, std::string_view input) {
  return feed_reads(parser, input, {});
}

inline Outcome feed_bytewise(RequestParser& parser, std::string_view input) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return feed_reads(parser, input, cuts);
}

}  // namespace weft::resp::testing
