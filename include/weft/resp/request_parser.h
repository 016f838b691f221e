#pragma once
// RequestParser reads Redis requests from a connection's buffered bytes: RESP multibulk
// arrays (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`, what every client library sends) and inline
// commands (`GET k\r\n`, what a person types into telnet), as Redis does.
//
//   weft::InputView in = conn.inbound();
//   size_t used = 0;
//   for (;;) {
//     weft::resp::ParseResult r = parser.parse(in.subview(used));
//     if (r.kind == weft::resp::ParseResult::Kind::need_more) break;
//     if (r.kind == weft::resp::ParseResult::Kind::error) {
//       reply.error(weft::resp::message(r.error, r.got));  // "ERR Protocol error: ..."
//       conn.close(weft::Errc::protocol_error);            // after the reply is flushed
//       break;
//     }
//     execute(parser.args());
//     used += r.consumed;
//   }
//   conn.discard(used);
//
// Contract (the codec layer's, see weft/codec/codec.h):
//   - Each call is given the bytes that remain after dropping every earlier request's
//     `consumed`, followed by whatever arrived since. While a request is incomplete the
//     parser remembers how far it got and scans only the new bytes next time.
//   - Arguments are views: into the input when an argument lies in one segment (no copy),
//     into the parser's own scratch when it spans segments. They are valid until the next
//     parse() or reset(), and no longer than the input they view.
//   - The same bytes give the same requests and the same error however they are split.
//   - Once max_buffered() bytes are offered, parse() makes progress (a request or an
//     error); nothing is ever allocated from a declared count or length.
//   - A protocol error is final: the stream cannot be trusted any more. Redis answers it
//     with `-ERR Protocol error: ...` and closes the connection once that is sent.
// What Redis ignores is skipped inside parse(): an empty inline line, and multibulk
// counts of zero or less (`*0\r\n`, `*-1\r\n`). Stricter than Redis, on purpose: a length
// line ends with "\r\n" and a bulk string is followed by "\r\n" (Redis skips whatever two
// bytes are there).
// A parser belongs to one connection and is used by its loop thread only.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/input_view.h"
#include "weft/resp/limits.h"

namespace weft::resp {

enum class ProtocolError : uint8_t {
  none,
  too_big_inline_request,
  unbalanced_quotes,
  too_big_count_line,
  invalid_multibulk_length,
  unauthenticated_multibulk_length,
  too_big_bulk_line,
  expected_dollar,
  invalid_bulk_length,
  unauthenticated_bulk_length,
  missing_crlf_after_bulk,
  too_big_request,
};

// The error reply's text in Redis's words, without the leading '-' and the line end:
// "ERR Protocol error: invalid bulk length". `got` is the offending byte of
// expected_dollar (shown as a space when it is CR or LF, as Redis does).
std::string message(ProtocolError error, char got = 0);

struct ParseResult {
  enum class Kind : uint8_t {
    request,    // args() holds a request of at least one argument; drop `consumed`.
    need_more,  // Nothing until more bytes arrive; drop `consumed` (ignored bytes) and keep
                // the rest.
    error,      // A protocol error (see `error`); the connection should be closed.
  };
  Kind kind = Kind::need_more;
  ProtocolError error = ProtocolError::none;
  char got = 0;
  size_t consumed = 0;  // Bytes to drop: a request with any ignored bytes before it.
};

class RequestParser {
 public:
  // Throws std::invalid_argument naming the bad field (see validate()).
  explicit RequestParser(const RequestLimits& limits = {});

  ParseResult parse(const InputView& in);
  // The same as parse(in.subview(from)), without making the subview when the next request
  // lies whole in the first segment (the usual case for a batch of pipelined requests).
  ParseResult parse(const InputView& in, size_t from);
  // The arguments of the request parse() returned last; see the validity rule above.
  std::span<const std::string_view> args() const { return args_; }

  // While false, the unauthenticated limits apply. True after construction.
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }
  bool authenticated() const { return authenticated_; }

  // Forgets a partly parsed request (for a fresh stream). Keeps scratch capacity.
  void reset();
  // Bytes one request may occupy, plus one: parse() never asks for more with that many.
  size_t max_buffered() const { return limits_.max_request_length + 1; }
  const RequestLimits& limits() const { return limits_; }

 private:
  enum class State : uint8_t {
    start,        // At the first byte of a request.
    count,        // In the count line of a multibulk, after '*'.
    count_lf,     // The count line's '\r' was seen.
    bulk_line,    // In an argument's length line.
    bulk_lf,      // The length line's '\r' was seen.
    bulk_body,    // In an argument's bytes.
    bulk_cr,      // After an argument's bytes.
    bulk_end_lf,  // After the '\r' that follows an argument.
    inline_line,  // In an inline request's line.
  };
  struct ArgRef {
    size_t offset;
    size_t length;
  };
  // Redis's string2ll rules, one byte at a time: an optional '-', then "0" alone or digits
  // without a leading zero, no overflow.
  struct Number {
    uint64_t magnitude = 0;
    bool negative = false;
    bool valid = true;
    uint8_t digits = 0;  // Nonzero once a digit was seen.
    void add(char c);
    bool ok() const;
    int64_t value() const;  // When ok().
  };

  bool parse_whole_front(std::string_view front, ParseResult& result);
  ParseResult parse_slow(const InputView& in);
  ParseResult finish_multibulk(const InputView& in);
  ParseResult finish_inline(const InputView& in, size_t line_end, size_t next);
  ParseResult fail(ProtocolError error, char got = 0);
  void start_request();
  size_t max_arguments() const;
  size_t max_bulk() const;

  RequestLimits limits_;
  bool authenticated_ = true;

  // Progress through the current request. Offsets count from the first byte of the view
  // parse() is given, which the caller keeps until a result drops it.
  State state_ = State::start;
  size_t pos_ = 0;         // Bytes scanned so far.
  size_t start_ = 0;       // Where the current request begins (after ignored bytes).
  size_t line_start_ = 0;  // Where the current line began.
  char line_first_ = 0;    // The first byte of a length line (must be '$').
  Number number_;
  size_t remaining_ = 0;  // Arguments still to read.
  size_t body_left_ = 0;  // Bytes of the current argument still to skip.
  std::vector<ArgRef> refs_;

  std::vector<std::string_view> args_;
  std::string scratch_;  // Arguments that span segments; an inline line and its words.
  std::string words_;
};

}  // namespace weft::resp
