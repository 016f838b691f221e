#pragma once
// expect_events: decodes an input every way the driver can feed it (whole, byte by byte,
// two reads cut at every offset, one read whose view is cut at every offset, and for short
// inputs three reads or segments cut at every pair of offsets), each with a fresh copy of
// the decoder, and expects the same events every time. It also checks that no more than
// max_buffered() - 1 bytes were ever kept between reads.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "codec_driver.h"

namespace weft::codec::testing {

// One decoder test vector: how the decoder is configured, what arrives, what must come out.
template <class Options>
struct Vector {
  const char* name;
  Options options;
  std::string input;
  std::vector<Event> expected;
};

inline std::string describe(const std::vector<Event>& events) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < events.size(); ++i) os << (i ? ", " : "") << events[i];
  os << "]";
  return os.str();
}

template <class D>
bool check_outcome(const D& prototype, const Outcome& got, const std::vector<Event>& expected, const std::string& how) {
  if (got.events != expected) {
    ADD_FAILURE() << how << ":\n  got      " << describe(got.events) << "\n  expected " << describe(expected);
    return false;
  }
  if (!got.failed && got.max_pending >= prototype.max_buffered()) {
    ADD_FAILURE() << how << ": kept " << got.max_pending << " bytes, max_buffered() is " << prototype.max_buffered();
    return false;
  }
  return true;
}

template <class D>
void expect_events(const D& prototype, std::string_view input, const std::vector<Event>& expected,
                   size_t pair_limit = 40) {
  {
    D d = prototype;
    if (!check_outcome(prototype, feed_whole(d, input), expected, "whole")) return;
  }
  {
    D d = prototype;
    if (!check_outcome(prototype, feed_bytewise(d, input), expected, "byte by byte")) return;
  }
  for (size_t k = 1; k < input.size(); ++k) {
    const size_t cut[] = {k};
    D reads = prototype;
    if (!check_outcome(prototype, feed_reads(reads, input, cut), expected, "two reads cut at " + std::to_string(k))) {
      return;
    }
    D segments = prototype;
    if (!check_outcome(prototype, feed_segments(segments, input, cut), expected,
                       "two segments cut at " + std::to_string(k))) {
      return;
    }
  }
  if (input.size() > pair_limit) return;
  for (size_t i = 1; i < input.size(); ++i) {
    for (size_t j = i + 1; j < input.size(); ++j) {
      const size_t cuts[] = {i, j};
      const std::string at = std::to_string(i) + " and " + std::to_string(j);
      D reads = prototype;
      if (!check_outcome(prototype, feed_reads(reads, input, cuts, 3), expected, "reads cut at " + at)) {
        return;
      }
      D segments = prototype;
      if (!check_outcome(prototype, feed_segments(segments, input, cuts), expected, "segments cut at " + at)) {
        return;
      }
    }
  }
}

}  // namespace weft::codec::testing
