#include "weft/codec/delimiter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "codec/byte_order.h"

namespace weft::codec {
namespace {

constexpr size_t kNpos = InputView::npos;

void check(const DelimiterOptions& options) {
  if (options.delimiters.empty()) {
    throw std::invalid_argument("DelimiterOptions: at least one delimiter is needed");
  }
  for (const std::string& d : options.delimiters) {
    if (d.empty()) throw std::invalid_argument("DelimiterOptions: a delimiter is empty");
  }
  if (options.max_length > SIZE_MAX / 4) {
    throw std::invalid_argument("DelimiterOptions: max_length must be at most SIZE_MAX / 4");
  }
}

}  // namespace

DelimiterDecoder::DelimiterDecoder(const DelimiterOptions& options)
    : delimiters_(options.delimiters),
      max_length_(options.max_length),
      strip_(options.strip_delimiter),
      fail_fast_(options.fail_fast) {
  check(options);
  cursors_.resize(delimiters_.size());
  for (const std::string& d : delimiters_) longest_ = std::max(longest_, d.size());
  tail_.resize(longest_);
}

void DelimiterDecoder::reset() {
  discarding_ = false;
  for (detail::NeedleCursor& c : cursors_) c.reset();
}

Decoded DelimiterDecoder::done(const Decoded& d) {
  for (detail::NeedleCursor& c : cursors_) c.consumed(d.consumed);
  return d;
}

// The earliest (start, then list order) delimiter whose first bytes end the input and
// match: it has not fully arrived but may yet.
DelimiterDecoder::Candidate DelimiterDecoder::earliest_partial(const InputView& in) {
  const size_t n = in.size();
  if (longest_ <= 1 || n == 0) return {kNpos, 0};
  const size_t lo = n > longest_ - 1 ? n - (longest_ - 1) : 0;
  const char* tail = detail::peek(in, lo, n - lo, tail_.data());
  for (size_t j = lo; j < n; ++j) {
    const size_t seen = n - j;
    for (size_t k = 0; k < delimiters_.size(); ++k) {
      const std::string& d = delimiters_[k];
      if (d.size() > seen && std::memcmp(tail + (j - lo), d.data(), seen) == 0) return {j, k};
    }
  }
  return {kNpos, 0};
}

Decoded DelimiterDecoder::decode(const InputView& in) {
  const size_t n = in.size();
  Candidate best{kNpos, 0};
  for (size_t k = 0; k < delimiters_.size(); ++k) {
    const size_t at = cursors_[k].find(in, delimiters_[k]);
    if (at < best.start) best = {at, k};
  }
  // A delimiter still arriving can only start in the last longest_ - 1 bytes; if it would
  // beat the best complete match, the answer must wait for it.
  Candidate partial{kNpos, 0};
  if (best.start == kNpos || best.start + longest_ > n) partial = earliest_partial(in);
  const bool blocked = partial.start < best.start || (partial.start == best.start && partial.index < best.index);

  if (best.start != kNpos && !blocked) {
    const size_t used = best.start + delimiters_[best.index].size();
    if (discarding_) {
      discarding_ = false;
      return done(fail_fast_ ? Decoded::make_skip(used) : Decoded::make_error(Errc::frame_too_long, used, false));
    }
    if (best.start > max_length_) {
      return done(Decoded::make_error(Errc::frame_too_long, used, false));
    }
    return done(Decoded::make_frame(used, 0, strip_ ? best.start : used));
  }

  // No delimiter can start before this offset.
  const size_t first_possible = std::min({partial.start, best.start, n});
  if (discarding_) {
    return first_possible == 0 ? Decoded::make_need_more(1) : done(Decoded::make_skip(first_possible));
  }
  if (first_possible > max_length_) {
    discarding_ = true;
    const size_t used = max_length_ + 1;
    return done(fail_fast_ ? Decoded::make_error(Errc::frame_too_long, used, false) : Decoded::make_skip(used));
  }
  return Decoded::make_need_more(1);
}

DelimiterEncoder::DelimiterEncoder(const DelimiterOptions& options) : delimiters_(options.delimiters) {
  check(options);
}

std::error_code DelimiterEncoder::do_encode(std::string_view payload, Buffer& out, uint32_t) const {
  const std::string_view own = delimiters_.front();
  const size_t p = payload.size();
  for (std::string_view d : delimiters_) {
    if (payload.find(d) != std::string_view::npos) return std::make_error_code(std::errc::invalid_argument);
    // A delimiter that starts in the payload and runs on into the appended one (or past
    // it, into whatever comes next) would end the frame early, or might.
    for (size_t j = p >= d.size() ? p - d.size() + 1 : 0; j < p; ++j) {
      const size_t in_payload = p - j;
      if (payload.substr(j) != d.substr(0, in_payload)) continue;
      const std::string_view rest = d.substr(in_payload);
      const size_t common = std::min(rest.size(), own.size());
      if (rest.substr(0, common) == own.substr(0, common)) {
        return std::make_error_code(std::errc::invalid_argument);
      }
    }
  }
  out.append(payload);
  out.append(own);
  return {};
}

CodecFactory delimiter_codec(const DelimiterOptions& options) {
  return detail::make_codec_factory(DelimiterDecoder(options), DelimiterEncoder(options));
}

}  // namespace weft::codec
