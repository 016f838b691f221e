#include "weft/resp/request_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "resp/inline_split.h"

namespace weft::resp {

std::string message(ProtocolError error, char got) {
  switch (error) {
    case ProtocolError::none: return "ERR no error";
    case ProtocolError::too_big_inline_request: return "ERR Protocol error: too big inline request";
    case ProtocolError::unbalanced_quotes: return "ERR Protocol error: unbalanced quotes in request";
    case ProtocolError::too_big_count_line: return "ERR Protocol error: too big mbulk count string";
    case ProtocolError::invalid_multibulk_length: return "ERR Protocol error: invalid multibulk length";
    case ProtocolError::unauthenticated_multibulk_length: return "ERR Protocol error: unauthenticated multibulk length";
    case ProtocolError::too_big_bulk_line: return "ERR Protocol error: too big bulk count string";
    case ProtocolError::expected_dollar: {
      // Redis maps CR and LF in error replies to spaces so the reply stays one line.
      const char shown = got == '\r' || got == '\n' ? ' ' : got;
      return std::string("ERR Protocol error: expected '$', got '") + shown + "'";
    }
    case ProtocolError::invalid_bulk_length: return "ERR Protocol error: invalid bulk length";
    case ProtocolError::unauthenticated_bulk_length: return "ERR Protocol error: unauthenticated bulk length";
    case ProtocolError::missing_crlf_after_bulk: return "ERR Protocol error: expected CRLF after bulk string";
    case ProtocolError::too_big_request: return "ERR Protocol error: too big request";
  }
  return "ERR Protocol error";
}

void RequestParser::Number::add(char c) {
  if (!valid) return;
  if (c == '-' && digits == 0 && !negative) {
    negative = true;
    return;
  }
  // Digits only; "0" stands alone (no leading zeros, no "-0").
  if (c < '0' || c > '9' || (digits != 0 && magnitude == 0) || (digits == 0 && c == '0' && negative)) {
    valid = false;
    return;
  }
  const auto digit = static_cast<uint64_t>(c - '0');
  if (magnitude > (UINT64_MAX - digit) / 10) {
    valid = false;
    return;
  }
  magnitude = magnitude * 10 + digit;
  digits = 1;
}

bool RequestParser::Number::ok() const {
  return valid && digits != 0 && magnitude <= (negative ? uint64_t{1} << 63 : uint64_t{INT64_MAX});
}

int64_t RequestParser::Number::value() const {
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

RequestParser::RequestParser(const RequestLimits& limits) : limits_(limits) {
  validate(limits_);
}

void RequestParser::reset() {
  state_ = State::start;
  pos_ = start_ = line_start_ = 0;
  remaining_ = body_left_ = 0;
  number_ = {};
  refs_.clear();
  args_.clear();
}

size_t RequestParser::max_arguments() const {
  return authenticated_ ? limits_.max_arguments
                        : std::min(limits_.max_arguments, limits_.unauthenticated_max_arguments);
}

size_t RequestParser::max_bulk() const {
  return authenticated_ ? limits_.max_bulk_length
                        : std::min(limits_.max_bulk_length, limits_.unauthenticated_max_bulk_length);
}

ParseResult RequestParser::fail(ProtocolError error, char got) {
  ParseResult r;
  r.kind = ParseResult::Kind::error;
  r.error = error;
  r.got = got;
  reset();
  return r;
}

void RequestParser::start_request() {
  state_ = State::start;
  start_ = pos_;
  refs_.clear();
}

ParseResult RequestParser::parse(const InputView& in) {
  if (state_ == State::start && pos_ == 0) {
    ParseResult r;
    if (parse_whole_front(in.segment(0), r)) return r;
  }
  return parse_slow(in);
}

ParseResult RequestParser::parse(const InputView& in, size_t from) {
  if (state_ == State::start && pos_ == 0) {
    const std::string_view front = in.segment(0);
    ParseResult r;
    if (from < front.size() && parse_whole_front(front.substr(from), r)) return r;
  }
  return parse_slow(in.subview(from));
}

// The usual case, a whole well-formed multibulk in the first segment, read in one pass.
// Anything else (an incomplete request, an unusual number, a limit, an error) returns
// false and leaves the parser as it was, for parse_slow to take from the first byte.
bool RequestParser::parse_whole_front(std::string_view front, ParseResult& result) {
  const char* p = front.data();
  const char* const end = p + front.size();
  if (front.size() < 4 || *p != '*') return false;
  ++p;
  // A length of up to nine digits without a leading zero ("0" alone), then "\r\n".
  auto length = [&](size_t& out) {
    if (p >= end || *p < '0' || *p > '9') return false;
    size_t v = static_cast<size_t>(*p++ - '0');
    if (v != 0) {
      for (int digits = 1; p < end && *p >= '0' && *p <= '9'; ++digits) {
        if (digits == 9) return false;
        v = v * 10 + static_cast<size_t>(*p++ - '0');
      }
    }
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return false;
    p += 2;
    out = v;
    return true;
  };
  size_t count;
  // Each argument takes at least 6 bytes ("$0\r\n\r\n"): a count the bytes at hand cannot
  // hold is left to parse_slow, so the arguments are sized from bytes that arrived.
  if (!length(count) || count == 0 || count > max_arguments() || count > static_cast<size_t>(end - p) / 6) {
    return false;
  }
  const size_t bulk_limit = max_bulk();
  args_.resize(count);
  std::string_view* arg = args_.data();
  for (size_t i = 0; i < count; ++i) {
    size_t n;
    if (p >= end || *p != '$') return false;
    ++p;
    if (!length(n) || n > bulk_limit || static_cast<size_t>(end - p) < n + 2) return false;
    if (p[n] != '\r' || p[n + 1] != '\n') return false;
    arg[i] = std::string_view(p, n);
    p += n + 2;
  }
  const size_t used = static_cast<size_t>(p - front.data());
  if (used > limits_.max_request_length) return false;
  result.kind = ParseResult::Kind::request;
  result.consumed = used;
  return true;
}

ParseResult RequestParser::parse_slow(const InputView& in) {
  const size_t total = in.size();
  size_t seg_index = 0;
  size_t seg_base = 0;
  while (pos_ < total) {
    std::string_view seg = in.segment(seg_index);
    if (pos_ >= seg_base + seg.size()) {
      seg_base += seg.size();
      ++seg_index;
      continue;
    }
    if (pos_ - start_ >= limits_.max_request_length) return fail(ProtocolError::too_big_request);
    // The bytes from pos_ to the end of this segment, no further than the request may go.
    const size_t avail = std::min(seg_base + seg.size() - pos_, limits_.max_request_length - (pos_ - start_));
    const char* p = seg.data() + (pos_ - seg_base);
    const char c = *p;
    switch (state_) {
      case State::start:
        line_start_ = pos_;
        number_ = {};
        if (c == '*') {
          state_ = State::count;
          ++pos_;
        } else {
          state_ = State::inline_line;
        }
        break;

      case State::count:
      case State::bulk_line: {
        const bool count = state_ == State::count;
        size_t i = 0;
        for (; i < avail && p[i] != '\r'; ++i) {
          if (count || pos_ + i > line_start_) {
            number_.add(p[i]);
          } else {
            line_first_ = p[i];
          }
        }
        // Redis's PROTO_INLINE_MAX_SIZE: a line may not grow past it without its end.
        if (pos_ + i - line_start_ > limits_.max_line_length) {
          return fail(count ? ProtocolError::too_big_count_line : ProtocolError::too_big_bulk_line);
        }
        if (i < avail) {
          if (!count && pos_ + i == line_start_) line_first_ = '\r';
          state_ = count ? State::count_lf : State::bulk_lf;
          ++i;
        }
        pos_ += i;
        break;
      }

      case State::count_lf: {
        ++pos_;
        if (c != '\n' || !number_.ok()) return fail(ProtocolError::invalid_multibulk_length);
        const int64_t n = number_.value();
        if (n > INT_MAX || (n > 0 && static_cast<uint64_t>(n) > limits_.max_arguments)) {
          return fail(ProtocolError::invalid_multibulk_length);
        }
        if (!authenticated_ && n > 0 && static_cast<uint64_t>(n) > limits_.unauthenticated_max_arguments) {
          return fail(ProtocolError::unauthenticated_multibulk_length);
        }
        if (n <= 0) {  // Redis ignores an empty or negative multibulk.
          start_request();
          break;
        }
        remaining_ = static_cast<size_t>(n);
        refs_.clear();
        state_ = State::bulk_line;
        line_start_ = pos_;
        number_ = {};
        break;
      }

      case State::bulk_lf: {
        ++pos_;
        if (line_first_ != '$') return fail(ProtocolError::expected_dollar, line_first_);
        if (c != '\n' || !number_.ok() || number_.negative) return fail(ProtocolError::invalid_bulk_length);
        const uint64_t n = number_.magnitude;
        if (n > limits_.max_bulk_length) return fail(ProtocolError::invalid_bulk_length);
        if (!authenticated_ && n > limits_.unauthenticated_max_bulk_length) {
          return fail(ProtocolError::unauthenticated_bulk_length);
        }
        refs_.push_back({pos_, static_cast<size_t>(n)});
        body_left_ = static_cast<size_t>(n);
        state_ = n == 0 ? State::bulk_cr : State::bulk_body;
        break;
      }

      case State::bulk_body: {
        const size_t take = std::min(avail, body_left_);
        pos_ += take;
        body_left_ -= take;
        if (body_left_ == 0) state_ = State::bulk_cr;
        break;
      }

      case State::bulk_cr:
        ++pos_;
        if (c != '\r') return fail(ProtocolError::missing_crlf_after_bulk);
        state_ = State::bulk_end_lf;
        break;

      case State::bulk_end_lf:
        ++pos_;
        if (c != '\n') return fail(ProtocolError::missing_crlf_after_bulk);
        if (--remaining_ == 0) return finish_multibulk(in);
        state_ = State::bulk_line;
        line_start_ = pos_;
        number_ = {};
        break;

      case State::inline_line: {
        const void* hit = std::memchr(p, '\n', avail);
        const size_t i = hit == nullptr ? avail : static_cast<size_t>(static_cast<const char*>(hit) - p);
        if (pos_ + i - line_start_ > limits_.max_line_length) return fail(ProtocolError::too_big_inline_request);
        pos_ += i;
        if (hit != nullptr) {
          ++pos_;
          ParseResult r = finish_inline(in, pos_ - 1, pos_);
          if (r.kind != ParseResult::Kind::need_more) return r;
        }
        break;
      }
    }
  }
  // Out of bytes. Ignored bytes before the request are dropped now, so a peer sending only
  // empty lines never piles them up; the offsets kept move with them.
  ParseResult r;
  r.consumed = start_;
  if (start_ != 0) {
    pos_ -= start_;
    line_start_ -= std::min(line_start_, start_);
    for (ArgRef& a : refs_) a.offset -= start_;
    start_ = 0;
  }
  return r;
}

ParseResult RequestParser::finish_multibulk(const InputView& in) {
  // Each argument is a view of the segment holding it, or, when it spans segments, a copy
  // in scratch_. Copies go first, so scratch_ is not resized under the views.
  args_.clear();
  scratch_.clear();
  auto walk = [&](auto&& visit) {
    size_t index = 0;
    size_t base = 0;
    std::string_view seg = in.segment(0);
    for (const ArgRef& a : refs_) {
      while (a.offset >= base + seg.size() && index + 1 < in.segment_count()) {
        base += seg.size();
        seg = in.segment(++index);
      }
      visit(a, a.offset + a.length <= base + seg.size() ? seg.substr(a.offset - base, a.length) : std::string_view());
    }
  };
  size_t split = 0;
  walk([&](const ArgRef& a, std::string_view v) {
    if (v.data() == nullptr && a.length != 0) split += a.length;
  });
  scratch_.resize(split);
  size_t at = 0;
  walk([&](const ArgRef& a, std::string_view v) {
    if (v.data() != nullptr || a.length == 0) {
      args_.push_back(v);
      return;
    }
    in.copy_to(a.offset, a.length, scratch_.data() + at);
    args_.emplace_back(scratch_.data() + at, a.length);
    at += a.length;
  });
  ParseResult r;
  r.kind = ParseResult::Kind::request;
  r.consumed = pos_;
  state_ = State::start;
  pos_ = start_ = 0;
  refs_.clear();
  return r;
}

// A complete inline line ends at line_end ('\n'); the next request starts at next.
ParseResult RequestParser::finish_inline(const InputView& in, size_t line_end, size_t next) {
  size_t length = line_end - line_start_;
  std::string_view line = in.slice(line_start_, length, scratch_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  args_.clear();
  if (!detail::split_inline(line, words_, args_)) return fail(ProtocolError::unbalanced_quotes);
  if (args_.empty()) {  // An empty line: Redis ignores it.
    pos_ = next;
    start_request();
    return {};
  }
  ParseResult r;
  r.kind = ParseResult::Kind::request;
  r.consumed = next;
  state_ = State::start;
  pos_ = start_ = 0;
  return r;
}

}  // namespace weft::resp
