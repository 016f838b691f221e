// The WebSocket message decoder against RFC 6455 and 7692: every vector is fed whole, one
// byte at a time and in two pieces cut at every offset, and must give the same events.

#include "ws/message_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws/deflate.h"
#include "ws_driver.h"

namespace weft::ws::testing {
namespace {

using detail::kBinary;
using detail::kClose;
using detail::kContinuation;
using detail::kPing;
using detail::kPong;
using detail::kText;

struct Vector {
  const char* name;
  std::string input;
  std::vector<std::string> expected;
  size_t max_message = 1024;
  bool deflate = false;
};

void expect_vector(const Vector& v) {
  SCOPED_TRACE(v.name);
  std::vector<std::vector<size_t>> ways = {{}};
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < v.input.size(); ++i) bytewise.push_back(i);
  ways.push_back(bytewise);
  for (size_t i = 1; i < v.input.size(); ++i) ways.push_back({i});
  for (const std::vector<size_t>& cuts : ways) {
    WsDriver driver(v.max_message, v.deflate);
    const WsOutcome got = driver.run(v.input, cuts);
    if (got.events != v.expected) {
      std::string text, want;
      for (const std::string& e : got.events) text += "\n    " + e;
      for (const std::string& e : v.expected) want += "\n    " + e;
      ADD_FAILURE() << (cuts.empty()      ? "whole"
                        : cuts.size() > 1 ? "byte by byte"
                                          : "cut at " + std::to_string(cuts[0]))
                    << "\n  got:" << text << "\n  expected:" << want;
      return;
    }
  }
}

std::string deflated(std::string_view text) {
  detail::Deflater d(15);
  std::string out;
  EXPECT_TRUE(d.deflate(text, out, false));
  return out;
}

TEST(MessageDecoder, DecodesMessagesAndControlFrames) {
  const std::string big(70000, 'b');
  const std::vector<Vector> vectors = {
      {"text", client_frame(kText, "hello"), {"text hello"}},
      {"empty text", client_frame(kText, ""), {"text "}},
      {"binary of 16-bit length", client_frame(kBinary, std::string(300, '\x01')), {"binary 300"}},
      {"binary of 64-bit length", client_frame(kBinary, big), {"binary 70000"}, 100000},
      {"fragments with a ping between",
       client_frame(kText, "hel", false) + client_frame(kPing, "p") + client_frame(kContinuation, "lo", false) +
           client_frame(kContinuation, " you"),
       {"ping p", "text hello you"}},
      {"pong", client_frame(kPong, "x"), {"pong x"}},
      {"close with a code and reason", client_frame(kClose, close_payload(1001, "bye")), {"close 1001 bye"}},
      {"close without a code", client_frame(kClose, ""), {"close 1005 "}},
      {"UTF-8 split across fragments",
       client_frame(kText, "\xe2\x82", false) + client_frame(kContinuation, "\xac!"),
       {"text \xe2\x82\xac!"}},
      {"nothing after a close", client_frame(kClose, "") + client_frame(kText, "late"), {"close 1005 "}},
      {"compressed",
       client_frame(kText, deflated("squeeze me squeeze me"), true, true),
       {"text squeeze me squeeze me"},
       1024,
       true},
  };
  for (const Vector& v : vectors) expect_vector(v);
}

TEST(MessageDecoder, ClosesWith1002ForProtocolErrors) {
  std::string non_minimal = client_frame(kText, "x");
  non_minimal[1] = static_cast<char>(0x80 | 126);
  non_minimal.insert(2, std::string("\x00\x01", 2));
  std::string top_bit(2, '\0');
  top_bit[0] = static_cast<char>(0x82);
  top_bit[1] = static_cast<char>(0x80 | 127);
  top_bit += std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8) + "abcd";
  const std::vector<Vector> vectors = {
      {"unmasked", client_frame(kText, "x", true, false, false), {"error 1002"}},
      {"RSV1 without compression", client_frame(kText, "x", true, true), {"error 1002"}},
      {"RSV2", std::string(1, '\xa1') + client_frame(kText, "x").substr(1), {"error 1002"}},
      {"RSV3", std::string(1, '\x91') + client_frame(kText, "x").substr(1), {"error 1002"}},
      {"opcode 3", client_frame(3, "x"), {"error 1002"}},
      {"opcode 0xB", client_frame(0xB, "x"), {"error 1002"}},
      {"long ping", client_frame(kPing, std::string(126, 'p')), {"error 1002"}},
      {"fragmented ping", client_frame(kPing, "p", false), {"error 1002"}},
      {"continuation first", client_frame(kContinuation, "x"), {"error 1002"}},
      {"new message inside one", client_frame(kText, "a", false) + client_frame(kText, "b"), {"error 1002"}},
      {"RSV1 on a continuation",
       client_frame(kText, "a", false) + client_frame(kContinuation, "b", true, true),
       {"error 1002"},
       1024,
       true},
      {"non-minimal length", non_minimal, {"error 1002"}},
      {"64-bit length with its top bit", top_bit, {"error 1002"}},
      {"close payload of one byte", client_frame(kClose, "x"), {"error 1002"}},
      {"close code 1005", client_frame(kClose, close_payload(1005)), {"error 1002"}},
      {"close code 999", client_frame(kClose, close_payload(999)), {"error 1002"}},
      {"close code 2000", client_frame(kClose, close_payload(2000)), {"error 1002"}},
      {"corrupt compressed data", client_frame(kBinary, "\xff\xff\xff\xff", true, true), {"error 1002"}, 1024, true},
      {"good, then bad",
       client_frame(kText, "ok") + client_frame(kText, "x", true, false, false),
       {"text ok", "error 1002"}},
  };
  for (const Vector& v : vectors) expect_vector(v);
}

TEST(MessageDecoder, ClosesWith1007ForTextThatIsNotUtf8) {
  const std::vector<Vector> vectors = {
      {"invalid byte", client_frame(kText, "ab\xff"), {"error 1007"}},
      {"overlong", client_frame(kText, "\xc0\xaf"), {"error 1007"}},
      {"surrogate", client_frame(kText, "\xed\xa0\x80"), {"error 1007"}},
      {"above U+10FFFF", client_frame(kText, "\xf4\x90\x80\x80"), {"error 1007"}},
      {"truncated at the end", client_frame(kText, "\xe2\x82"), {"error 1007"}},
      // Fails fast: the bad fragment is reported before the message ends.
      {"in the first fragment", client_frame(kText, "\xff", false) + client_frame(kPing, "p"), {"error 1007"}},
      {"close reason", client_frame(kClose, close_payload(1000, "\xff")), {"error 1007"}},
      {"compressed", client_frame(kText, deflated("\xff\xfe"), true, true), {"error 1007"}, 1024, true},
      {"binary may be anything", client_frame(kBinary, "\xff"), {"binary 1"}},
  };
  for (const Vector& v : vectors) expect_vector(v);
}

TEST(MessageDecoder, ClosesWith1009ForMessagesTooBig) {
  const std::string zeros(100000, '\0');
  const std::vector<Vector> vectors = {
      {"one frame, refused from its header",
       client_frame(kBinary, std::string(101, 'x')).substr(0, 8),
       {"error 1009"},
       100},
      {"at the limit", client_frame(kBinary, std::string(100, 'x')), {"binary 100"}, 100},
      {"fragments adding up",
       client_frame(kBinary, std::string(60, 'x'), false) + client_frame(kContinuation, std::string(41, 'x')),
       {"error 1009"},
       100},
      // A small compressed message that inflates past the limit.
      {"compressed bomb", client_frame(kBinary, deflated(zeros), true, true), {"error 1009"}, 1000, true},
  };
  for (const Vector& v : vectors) expect_vector(v);
}

// The payload bytes themselves (the driver above records a binary message by its size):
// a fragmented message larger than the storage the decoder keeps between messages, then
// small ones, each fed in uneven pieces, come out byte for byte.
TEST(MessageDecoder, DeliversEveryPayloadByteForByte) {
  std::string big(300 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + i / 7);
  const std::string small = "after the large one";
  const std::string input = client_frame(kBinary, std::string_view(big).substr(0, 70001), false) +
                            client_frame(kPing, "p") +
                            client_frame(kContinuation, std::string_view(big).substr(70001)) +
                            client_frame(kBinary, small, true, false, true, 0xA1B2C3D4) +
                            client_frame(kText, "text", true, false, true, 0x01020304);
  detail::MessageDecoder decoder(1 << 20, nullptr, false);
  std::vector<std::string> messages;
  std::vector<std::string> pings;
  std::string_view rest = input;
  size_t piece = 1;
  while (!rest.empty()) {
    std::string_view bytes = rest.substr(0, piece);
    rest.remove_prefix(bytes.size());
    piece = piece * 7 % 9973 + 1;  // Uneven pieces, from 1 byte to about 10 KiB.
    while (!bytes.empty()) {
      const detail::MessageDecoder::Step step = decoder.feed(bytes);
      bytes.remove_prefix(step.used);
      ASSERT_NE(step.event, detail::MessageDecoder::Event::error) << decoder.error_reason();
      if (step.event == detail::MessageDecoder::Event::message) messages.emplace_back(decoder.payload());
      if (step.event == detail::MessageDecoder::Event::ping) pings.emplace_back(decoder.payload());
      if (step.event == detail::MessageDecoder::Event::need_more) break;
    }
  }
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_TRUE(messages[0] == big) << "the large message differs";
  EXPECT_EQ(messages[1], small);
  EXPECT_EQ(messages[2], "text");
  EXPECT_EQ(pings, std::vector<std::string>{"p"});
}

TEST(Deflate, NegotiatesTheFirstAcceptableOffer) {
  Compression config;
  detail::DeflateParams p;
  std::string response;
  ASSERT_TRUE(detail::negotiate_deflate("permessage-deflate; client_max_window_bits", config, p, response));
  EXPECT_EQ(response, "permessage-deflate; client_max_window_bits=15");
  ASSERT_TRUE(detail::negotiate_deflate(
      "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_no_context_takeover", config, p,
      response));
  EXPECT_EQ(response, "permessage-deflate; server_no_context_takeover");
  EXPECT_TRUE(p.server_no_context_takeover);
  ASSERT_TRUE(detail::negotiate_deflate("x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=10", config,
                                        p, response));
  EXPECT_EQ(response, "permessage-deflate; server_max_window_bits=10");
  EXPECT_EQ(p.server_max_window_bits, 10);
  EXPECT_FALSE(detail::negotiate_deflate("permessage-deflate; unknown=1", config, p, response));
  EXPECT_FALSE(detail::negotiate_deflate("permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                                         config, p, response));
  EXPECT_FALSE(detail::negotiate_deflate("permessage-deflate; client_max_window_bits=16", config, p, response));
  config.no_context_takeover = true;
  ASSERT_TRUE(detail::negotiate_deflate("permessage-deflate", config, p, response));
  EXPECT_EQ(response, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  config.enabled = false;
  EXPECT_FALSE(detail::negotiate_deflate("permessage-deflate", config, p, response));
}

TEST(Deflate, RoundTripsWithAndWithoutContextTakeover) {
  for (bool reset : {false, true}) {
    detail::Deflater d(15);
    detail::Inflater i;
    for (int n = 0; n < 3; ++n) {
      const std::string text = "message " + std::to_string(n) + std::string(200, 'a' + n);
      std::string packed, back;
      ASSERT_TRUE(d.deflate(text, packed, reset));
      ASSERT_EQ(i.inflate(packed, back, 1 << 20, reset), detail::Inflater::Result::ok);
      EXPECT_EQ(back, text);
    }
  }
}

}  // namespace
}  // namespace weft::ws::testing
