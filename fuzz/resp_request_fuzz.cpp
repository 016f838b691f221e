// libFuzzer target: the RESP RequestParser. Limits come from the first bytes of the input
// (small, so they are crossed often); the rest is parsed through the test driver
// (tests/unit/resp/request_driver.h) whole, byte by byte, in random reads and as one read
// cut into random segments. Aborts unless:
//   - every way of feeding gives the same requests and the same error;
//   - the parser never kept max_buffered() bytes or more between reads;
//   - every request has at least one argument, no multibulk argument is longer than
//     allowed, and, written back as a multibulk, parses to the same arguments.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "request_driver.h"
#include "weft/resp/reply_writer.h"
#include "weft/resp/request_parser.h"

namespace {

using namespace weft::resp;

[[noreturn]] void fail(const char* what, const testing::Outcome& a, const testing::Outcome& b) {
  std::fprintf(stderr, "resp fuzz: %s (%zu vs %zu events, failed %d vs %d)\n", what, a.events.size(), b.events.size(),
               a.failed, b.failed);
  std::abort();
}

std::vector<size_t> random_cuts(size_t size, std::mt19937& rng, size_t max_piece) {
  std::vector<size_t> cuts;
  std::uniform_int_distribution<size_t> piece(1, max_piece);
  for (size_t at = piece(rng); at < size; at += piece(rng)) cuts.push_back(at);
  return cuts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  if (size < 6) return 0;
  RequestLimits limits;
  limits.max_line_length = 16 + data[0];
  limits.max_bulk_length = 1 + data[1] * 4;
  limits.max_arguments = 1 + data[2] % 16;
  limits.max_request_length = limits.max_line_length + data[3] * 8;
  limits.unauthenticated_max_arguments = 1 + data[4] % 8;
  limits.unauthenticated_max_bulk_length = 1 + data[4] / 8;
  const bool authenticated = data[5] & 1;
  const uint8_t seed = data[5] >> 1;
  const std::string_view input(reinterpret_cast<const char*>(data) + 6, size - 6);

  auto fresh = [&] {
    RequestParser p(limits);
    p.set_authenticated(authenticated);
    return p;
  };
  RequestParser whole_parser = fresh();
  const testing::Outcome whole = testing::feed_whole(whole_parser, input);
  auto compare = [&](const char* how, const testing::Outcome& other) {
    if (other.events != whole.events || other.failed != whole.failed) fail(how, whole, other);
    if (!other.failed && other.pending != whole.pending) fail("pending bytes differ", whole, other);
    if (!other.failed && other.max_pending >= whole_parser.max_buffered()) {
      std::fprintf(stderr, "resp fuzz: %s kept %zu bytes, max_buffered() is %zu\n", how, other.max_pending,
                   whole_parser.max_buffered());
      std::abort();
    }
  };
  compare("whole", whole);
  {
    RequestParser p = fresh();
    compare("byte by byte", testing::feed_bytewise(p, input));
  }
  std::mt19937 rng(seed);
  for (size_t max_piece : {3, 17, 300}) {
    const std::vector<size_t> cuts = random_cuts(input.size(), rng, max_piece);
    RequestParser reads = fresh();
    compare("random reads", testing::feed_reads(reads, input, cuts, 1 + seed % 9));
    RequestParser segments = fresh();
    compare("random segments", testing::feed_segments(segments, input, cuts));
  }

  for (const testing::Event& e : whole.events) {
    if (e.error != ProtocolError::none) continue;
    if (e.args.empty()) {
      std::fprintf(stderr, "resp fuzz: a request without arguments\n");
      std::abort();
    }
    // Written back as a multibulk, the request parses to the same arguments when it fits
    // the limits (an inline request may hold more, or longer, words than a multibulk may).
    std::string wire;
    {
      ReplyWriter w(wire, Protocol::resp2);
      w.array(e.args.size());
      for (const std::string& a : e.args) w.bulk(a);
    }
    bool fits = e.args.size() <= limits.max_arguments && wire.size() <= limits.max_request_length;
    for (const std::string& a : e.args) fits = fits && a.size() <= limits.max_bulk_length;
    if (!fits || !authenticated) continue;
    RequestParser again(limits);
    const testing::Outcome back = testing::feed_whole(again, wire);
    if (back.events.size() != 1 || back.events[0] != e || back.pending != 0) fail("round trip", whole, back);
  }
  return 0;
}
