// libFuzzer target: the WebSocket message decoder (frames, fragments, control frames,
// permessage-deflate, UTF-8). The input is fed whole, byte by byte and in random pieces;
// every way must give the same events (see tests/unit/ws/ws_driver.h), and no message may
// exceed the limit.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "fuzz_common.h"
#include "ws_driver.h"

namespace {

[[noreturn]] void fail(const char* how, const weft::ws::testing::WsOutcome& a, const weft::ws::testing::WsOutcome& b) {
  std::fprintf(stderr, "ws fuzz: %s gives a different outcome\n", how);
  for (size_t i = 0; i < std::max(a.events.size(), b.events.size()); ++i) {
    std::fprintf(stderr, "  whole: %.60s\n  other: %.60s\n", i < a.events.size() ? a.events[i].c_str() : "-",
                 i < b.events.size() ? b.events[i].c_str() : "-");
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT(readability-identifier-naming)
  using namespace weft::ws::testing;
  weft::codec::fuzz::Params p(data, size);
  const size_t max_message = 1 + p.byte() * 8;
  const bool deflate = p.byte() & 1;
  const uint8_t seed = p.byte();
  const std::string_view input = p.rest();

  WsDriver whole_driver(max_message, deflate);
  const WsOutcome whole = whole_driver.run(input, {});
  for (const std::string& e : whole.events) {
    // "text <payload>" and "binary <size>" never exceed the limit.
    if (e.rfind("text ", 0) == 0 && e.size() - 5 > max_message) std::abort();
    if (e.rfind("binary ", 0) == 0 && std::stoul(e.substr(7)) > max_message) std::abort();
  }
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  WsDriver bytewise_driver(max_message, deflate);
  const WsOutcome by_byte = bytewise_driver.run(input, bytewise);
  if (!(by_byte == whole)) fail("byte by byte", whole, by_byte);
  std::mt19937 rng(seed);
  for (size_t max_piece : {2, 9, 60}) {
    WsDriver driver(max_message, deflate);
    const WsOutcome got = driver.run(input, weft::codec::fuzz::random_cuts(input, rng, max_piece));
    if (!(got == whole)) fail("random pieces", whole, got);
  }
  return 0;
}
