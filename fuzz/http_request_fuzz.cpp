// libFuzzer target: the HTTP request parser. The input is fed whole, byte by byte and in
// random pieces; every way must give the same requests and the same error (see
// tests/unit/http/parser_driver.h), and nothing may exceed the limits.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "fuzz_common.h"
#include "parser_driver.h"

namespace {

[[noreturn]] void fail(const char* how, const weft::http::testing::ParseOutcome& a,
                       const weft::http::testing::ParseOutcome& b) {
  std::fprintf(stderr, "http fuzz: %s gives a different outcome\n", how);
  for (size_t i = 0; i < std::max(a.events.size(), b.events.size()); ++i) {
    std::fprintf(stderr, "  whole: %s\n  other: %s\n", i < a.events.size() ? a.events[i].c_str() : "-",
                 i < b.events.size() ? b.events[i].c_str() : "-");
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::http;
  weft::codec::fuzz::Params p(data, size);
  Limits limits;
  // Small limits, so that the fuzzer reaches them.
  limits.max_request_line = 16 + p.byte() % 64;
  limits.max_header_section = 2 + p.byte() % 128;
  limits.max_headers = 1 + p.byte() % 8;
  limits.max_body = p.byte() % 64;
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  testing::ParserDriver whole_driver(limits);
  const testing::ParseOutcome whole = whole_driver.run(input, {});
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  testing::ParserDriver bytewise_driver(limits);
  const testing::ParseOutcome by_byte = bytewise_driver.run(input, bytewise);
  if (!(by_byte == whole)) fail("byte by byte", whole, by_byte);
  std::mt19937 rng(seed);
  for (size_t max_piece : {2, 7, 40}) {
    const std::vector<size_t> cuts = weft::codec::fuzz::random_cuts(input, rng, max_piece);
    testing::ParserDriver driver(limits);
    const testing::ParseOutcome got = driver.run(input, cuts);
    if (!(got == whole)) fail("random pieces", whole, got);
  }
  return 0;
}
