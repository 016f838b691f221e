#include "weft/resp/request_parser.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "request_driver.h"

namespace weft::resp {
namespace {

using namespace std::string_literals;
using testing::error;
using testing::Event;
using testing::Outcome;
using testing::request;

std::string describe(const std::vector<Event>& events) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < events.size(); ++i) os << (i ? ", " : "") << events[i];
  return os.str() + "]";
}

bool same(const Outcome& got, const std::vector<Event>& expected, const std::string& how) {
  if (got.events == expected) return true;
  ADD_FAILURE() << how << ":\n  got      " << describe(got.events) << "\n  expected " << describe(expected);
  return false;
}

// Parses input whole, byte by byte, in two reads cut at every offset, as one read cut into
// two segments at every offset, and for short inputs in three reads cut at every pair of
// offsets; every way must give `expected` and keep the same bytes pending.
void expect_events(std::string_view input, const std::vector<Event>& expected, const RequestLimits& limits = {},
                   bool authenticated = true) {
  auto fresh = [&] {
    RequestParser p(limits);
    p.set_authenticated(authenticated);
    return p;
  };
  RequestParser whole_parser = fresh();
  const Outcome whole = testing::feed_whole(whole_parser, input);
  if (!same(whole, expected, "whole")) return;
  auto check = [&](const Outcome& got, const std::string& how) {
    if (!same(got, expected, how)) return false;
    if (!got.failed && got.pending != whole.pending) {
      ADD_FAILURE() << how << ": " << got.pending << " bytes pending, whole kept " << whole.pending;
      return false;
    }
    return true;
  };
  {
    RequestParser p = fresh();
    if (!check(testing::feed_bytewise(p, input), "byte by byte")) return;
  }
  for (size_t k = 1; k < input.size(); ++k) {
    const size_t cut[] = {k};
    RequestParser reads = fresh();
    if (!check(testing::feed_reads(reads, input, cut), "two reads cut at " + std::to_string(k))) return;
    RequestParser segments = fresh();
    if (!check(testing::feed_segments(segments, input, cut), "two segments cut at " + std::to_string(k))) return;
  }
  if (input.size() > 40) return;
  for (size_t a = 1; a < input.size(); ++a) {
    for (size_t b = a + 1; b < input.size(); ++b) {
      const size_t cuts[] = {a, b};
      RequestParser p = fresh();
      if (!check(testing::feed_reads(p, input, cuts), "reads cut at " + std::to_string(a) + "," + std::to_string(b))) {
        return;
      }
    }
  }
}

std::string multibulk(const std::vector<std::string>& args) {
  std::ostringstream out;
  out << '*' << args.size() << "\r\n";
  for (const std::string& a : args) out << '$' << a.size() << "\r\n" << a << "\r\n";
  return out.str();
}

TEST(RequestParser, Multibulk) {
  expect_events(multibulk({"GET", "key"}), {request({"GET", "key"})});
  expect_events(multibulk({"SET", "k", ""}), {request({"SET", "k", ""})});
  expect_events("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhe\r\no\r\n",
                {request({"PING"}), request({"ECHO", "he\r\no"})});
  const std::string binary = "\0\r\n*$\xff"s;
  expect_events(multibulk({"SET", binary, binary}), {request({"SET", binary, binary})});
}

TEST(RequestParser, PipelinedRequestsComeInOrderAndAPartialOneWaits) {
  const std::string input = multibulk({"SET", "a", "1"}) + multibulk({"INCR", "a"}) + "*2\r\n$3\r\nGET\r\n$1\r\n";
  expect_events(input, {request({"SET", "a", "1"}), request({"INCR", "a"})});
  RequestParser p;
  const Outcome o = testing::feed_whole(p, input);
  EXPECT_EQ(o.pending, std::string("*2\r\n$3\r\nGET\r\n$1\r\n").size());
}

TEST(RequestParser, LongArgumentsAcrossManySegments) {
  std::string big(100000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  const std::string input = multibulk({"SET", "k", big, "tail"});
  RequestParser whole;
  const Outcome expected = testing::feed_whole(whole, input);
  ASSERT_EQ(expected.events, std::vector<Event>{request({"SET", "k", big, "tail"})});
  std::vector<size_t> cuts;
  for (size_t at = 1000; at < input.size(); at += 1000) cuts.push_back(at);
  RequestParser reads;
  EXPECT_EQ(testing::feed_reads(reads, input, cuts, 512).events, expected.events);
  RequestParser segments;
  EXPECT_EQ(testing::feed_segments(segments, input, cuts).events, expected.events);
}

TEST(RequestParser, ArgumentsInOneSegmentAreViewsOfTheInput) {
  const std::string input = multibulk({"SET", "key", "value"}) + "*1\r\n$4\r\nPI";
  RequestParser p;
  const ParseResult r = p.parse(InputView(input));
  ASSERT_EQ(r.kind, ParseResult::Kind::request);
  EXPECT_EQ(r.consumed, multibulk({"SET", "key", "value"}).size());
  ASSERT_EQ(p.args().size(), 3u);
  for (std::string_view a : p.args()) {
    EXPECT_GE(a.data(), input.data());
    EXPECT_LE(a.data() + a.size(), input.data() + input.size());
  }
  EXPECT_EQ(p.args()[2], "value");

  // Split across segments: only the argument that spans them is joined.
  const std::string_view parts[] = {"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva", "lue\r\n"};
  RequestParser q;
  const ParseResult r2 = q.parse(InputView(std::span<const std::string_view>(parts)));
  ASSERT_EQ(r2.kind, ParseResult::Kind::request);
  EXPECT_EQ(q.args()[1].data(), parts[0].data() + 17);
  EXPECT_EQ(q.args()[2], "value");
  EXPECT_FALSE(q.args()[2].data() >= parts[0].data() && q.args()[2].data() < parts[0].data() + parts[0].size());
}

TEST(RequestParser, ParseFromAnOffsetIsParseOfTheSubview) {
  // A batch of requests, the second starting inside the first segment and ending in the
  // second: parse(in, from) gives what parse(in.subview(from)) gives, request by request.
  const std::string first = multibulk({"SET", "key", "value"});
  const std::string second = multibulk({"GET", "key"});
  const std::string all = first + second + first;
  for (size_t cut = first.size() + 1; cut < all.size(); ++cut) {
    const std::string_view parts[] = {std::string_view(all).substr(0, cut), std::string_view(all).substr(cut)};
    const InputView in{std::span<const std::string_view>(parts)};
    RequestParser a;
    RequestParser b;
    size_t used = 0;
    for (int i = 0; i < 3; ++i) {
      const ParseResult ra = a.parse(in.subview(used));
      const ParseResult rb = b.parse(in, used);
      ASSERT_EQ(ra.kind, ParseResult::Kind::request) << "cut " << cut;
      ASSERT_EQ(rb.kind, ra.kind) << "cut " << cut;
      ASSERT_EQ(rb.consumed, ra.consumed) << "cut " << cut;
      ASSERT_EQ(std::vector<std::string_view>(b.args().begin(), b.args().end()),
                std::vector<std::string_view>(a.args().begin(), a.args().end()))
          << "cut " << cut;
      used += ra.consumed;
    }
    EXPECT_EQ(used, all.size());
    EXPECT_EQ(b.parse(in, used).kind, ParseResult::Kind::need_more);
  }
}

TEST(RequestParser, Inline) {
  expect_events("PING\r\n", {request({"PING"})});
  expect_events("PING\n", {request({"PING"})});
  expect_events("set  a\tb \r\n", {request({"set", "a", "b"})});
  expect_events("ECHO \"a\\x41\\n\"\r\n", {request({"ECHO", "aA\n"})});
  expect_events("ECHO 'a\\'b'\r\n", {request({"ECHO", "a'b"})});
  expect_events("ECHO \"\" ''\r\n", {request({"ECHO", "", ""})});
  expect_events("ECHO \"a\\qb\" \"\\x4\"\r\n", {request({"ECHO", "aqb", "x4"})});
  expect_events("ECHO a\"b c\"\r\n", {request({"ECHO", "ab c"})});
  expect_events("ECHO \va\r\n", {request({"ECHO", "a"})});
  expect_events("ECHO a\vb\r\n", {request({"ECHO", "a\vb"})});
  expect_events("ECHO a\rb\r\n", {request({"ECHO", "a", "b"})});
  expect_events("ECHO a\r\r\n", {request({"ECHO", "a"})});
  expect_events("GET k\r\n" + multibulk({"GET", "j"}) + "GET l\n",
                {request({"GET", "k"}), request({"GET", "j"}), request({"GET", "l"})});
}

TEST(RequestParser, EmptyLinesAndEmptyOrNegativeCountsAreIgnored) {
  expect_events("\r\nPING\r\n", {request({"PING"})});
  expect_events("  \r\n\n\t\r\nPING\r\n", {request({"PING"})});
  expect_events("*0\r\n*-1\r\n" + multibulk({"PING"}), {request({"PING"})});
  expect_events("*-9223372036854775808\r\n" + multibulk({"PING"}), {request({"PING"})});
  // Ignored bytes are dropped even with nothing after them, so they never pile up.
  RequestParser p;
  EXPECT_EQ(testing::feed_whole(p, "\r\n\r\n*0\r\n*-1\r\n").pending, 0u);
  RequestParser q;
  EXPECT_EQ(testing::feed_whole(q, "\r\n*1\r\n$4\r\nPI").pending, std::string("*1\r\n$4\r\nPI").size());
}

TEST(RequestParser, ProtocolErrorsInRedisWords) {
  // Each checked against redis-server 7.0: the reply, then the connection is closed.
  expect_events("*1\r\n:5\r\n", {error(ProtocolError::expected_dollar, ':')});
  expect_events("*1\r\n\r\n", {error(ProtocolError::expected_dollar, '\r')});
  expect_events("*2\r\n$4\r\nECHO\r\n*3\r\n", {error(ProtocolError::expected_dollar, '*')});
  expect_events("*abc\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*01\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*-0\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*+1\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*3000000000\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*99999999999999999999\r\n", {error(ProtocolError::invalid_multibulk_length)});
  expect_events("*1\r\n$-1\r\n", {error(ProtocolError::invalid_bulk_length)});
  expect_events("*1\r\n$x\r\n", {error(ProtocolError::invalid_bulk_length)});
  expect_events("*1\r\n$\r\n", {error(ProtocolError::invalid_bulk_length)});
  expect_events("*1\r\n$04\r\nPING\r\n", {error(ProtocolError::invalid_bulk_length)});
  expect_events("*1\r\n$536870913\r\n", {error(ProtocolError::invalid_bulk_length)});
  expect_events("set a \"b\r\n", {error(ProtocolError::unbalanced_quotes)});
  expect_events("set a \"b\"c\r\n", {error(ProtocolError::unbalanced_quotes)});
  expect_events("set a 'b\r\n", {error(ProtocolError::unbalanced_quotes)});
  // Requests before the bad one are delivered first.
  expect_events(multibulk({"PING"}) + "*x\r\n" + multibulk({"PING"}),
                {request({"PING"}), error(ProtocolError::invalid_multibulk_length)});

  EXPECT_EQ(message(ProtocolError::expected_dollar, ':'), "ERR Protocol error: expected '$', got ':'");
  EXPECT_EQ(message(ProtocolError::expected_dollar, '\r'), "ERR Protocol error: expected '$', got ' '");
  EXPECT_EQ(message(ProtocolError::invalid_multibulk_length), "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(message(ProtocolError::invalid_bulk_length), "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(message(ProtocolError::unbalanced_quotes), "ERR Protocol error: unbalanced quotes in request");
  EXPECT_EQ(message(ProtocolError::too_big_inline_request), "ERR Protocol error: too big inline request");
  EXPECT_EQ(message(ProtocolError::too_big_count_line), "ERR Protocol error: too big mbulk count string");
  EXPECT_EQ(message(ProtocolError::too_big_bulk_line), "ERR Protocol error: too big bulk count string");
  EXPECT_EQ(message(ProtocolError::unauthenticated_multibulk_length),
            "ERR Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(message(ProtocolError::unauthenticated_bulk_length), "ERR Protocol error: unauthenticated bulk length");
}

TEST(RequestParser, StricterThanRedisAboutLineEnds) {
  // Redis skips the two bytes after a bulk string and the byte after a length line's CR.
  expect_events("*1\r\n$3\r\nfooXY", {error(ProtocolError::missing_crlf_after_bulk)});
  expect_events("*1\r\n$3\r\nfoo\rX", {error(ProtocolError::missing_crlf_after_bulk)});
  expect_events("*1\r\n$4\rXPING\r\n", {error(ProtocolError::invalid_bulk_length)});
  expect_events("*1\rX$4\r\nPING\r\n", {error(ProtocolError::invalid_multibulk_length)});
  EXPECT_EQ(message(ProtocolError::missing_crlf_after_bulk), "ERR Protocol error: expected CRLF after bulk string");
}

TEST(RequestParser, LineLengthLimit) {
  RequestLimits l;
  l.max_line_length = 64;
  // A line may hold max_line_length bytes before its CR (type byte included), not one more.
  expect_events("*" + std::string(62, ' ') + "1\r\n$4\r\nPING\r\n", {error(ProtocolError::invalid_multibulk_length)},
                l);
  expect_events("*" + std::string(64, '1'), {error(ProtocolError::too_big_count_line)}, l);
  expect_events("*" + std::string(63, '0'), {}, l);
  expect_events("*1\r\n$" + std::string(64, '1'), {error(ProtocolError::too_big_bulk_line)}, l);
  expect_events("*1\r\n:" + std::string(63, '1') + "\r\n", {error(ProtocolError::expected_dollar, ':')}, l);
  // An inline line counts every byte before its '\n', a final '\r' included.
  expect_events("ECHO " + std::string(58, 'a') + "\r\n", {request({"ECHO", std::string(58, 'a')})}, l);
  expect_events("ECHO " + std::string(59, 'a') + "\r\n", {error(ProtocolError::too_big_inline_request)}, l);
  expect_events("ECHO " + std::string(60, 'a'), {error(ProtocolError::too_big_inline_request)}, l);
  // With Redis's default, 64 KiB.
  RequestParser p;
  EXPECT_EQ(testing::feed_whole(p, "GET " + std::string(64 * 1024, 'k')).events,
            std::vector<Event>{error(ProtocolError::too_big_inline_request)});
}

TEST(RequestParser, BulkAndCountLimits) {
  RequestLimits l;
  l.max_bulk_length = 5;
  l.max_arguments = 3;
  expect_events(multibulk({"SET", "k", "12345"}), {request({"SET", "k", "12345"})}, l);
  expect_events(multibulk({"SET", "k", "123456"}), {error(ProtocolError::invalid_bulk_length)}, l);
  expect_events(multibulk({"DEL", "a", "b", "c"}), {error(ProtocolError::invalid_multibulk_length)}, l);
}

TEST(RequestParser, UnauthenticatedLimits) {
  expect_events("*11\r\n", {error(ProtocolError::unauthenticated_multibulk_length)}, {}, false);
  expect_events("*10\r\n$3\r\nGET\r\n", {}, {}, false);
  expect_events("*2\r\n$3\r\nGET\r\n$16385\r\n", {error(ProtocolError::unauthenticated_bulk_length)}, {}, false);
  expect_events("*2\r\n$3\r\nGET\r\n$16384\r\n", {}, {}, false);
  // Inline requests are not bound by them, as in Redis.
  expect_events("A B C D E F G H I J K L\r\n", {request({"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"})},
                {}, false);
  RequestParser p;
  p.set_authenticated(false);
  testing::Driver d(p);
  d.feed("*11\r\n");
  EXPECT_TRUE(d.failed());
  RequestParser q;
  q.set_authenticated(false);
  q.set_authenticated(true);
  EXPECT_EQ(testing::feed_whole(q, "*11\r\n").events.size(), 0u);
}

TEST(RequestParser, RequestLengthLimitGuaranteesProgress) {
  RequestLimits l;
  l.max_request_length = 40;
  l.max_line_length = 32;
  const std::string fits = multibulk({"SET", "k", std::string(13, 'v')});
  ASSERT_EQ(fits.size(), 40u);
  expect_events(fits, {request({"SET", "k", std::string(13, 'v')})}, l);
  expect_events(multibulk({"SET", "k", std::string(14, 'v')}), {error(ProtocolError::too_big_request)}, l);
  RequestParser p(l);
  EXPECT_EQ(p.max_buffered(), 41u);
  // A request that would not fit is refused once max_buffered() bytes are offered, before
  // its end arrives.
  std::string head = "*2\r\n$3\r\nSET\r\n$100\r\n" + std::string(100, 'v');
  head.resize(p.max_buffered());
  EXPECT_EQ(testing::feed_whole(p, head).events, std::vector<Event>{error(ProtocolError::too_big_request)});
}

TEST(RequestParser, DeclaredSizesAreNotAllocated) {
  const size_t before = mallinfo2().uordblks;
  RequestParser p;
  testing::Driver d(p);
  d.feed("*2147483647\r\n$536870912\r\nabc");
  EXPECT_FALSE(d.failed());
  EXPECT_TRUE(d.events().empty());
  EXPECT_LT(mallinfo2().uordblks - before, 1u << 20);
}

TEST(RequestParser, LimitsAreCheckedOnceNamingTheField) {
  RequestLimits l;
  l.max_bulk_length = 0;
  try {
    RequestParser p(l);
    FAIL() << "accepted a zero max_bulk_length";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_bulk_length"), std::string::npos) << e.what();
  }
  RequestLimits m;
  m.max_request_length = 100;
  m.max_line_length = 200;
  EXPECT_THROW(RequestParser{m}, std::invalid_argument);
  RequestLimits n;
  n.max_line_length = 8;
  EXPECT_THROW(RequestParser{n}, std::invalid_argument);
}

TEST(RequestParser, ResetForgetsAPartialRequest) {
  RequestParser p;
  const std::string partial = "*2\r\n$3\r\nGET";
  EXPECT_EQ(p.parse(InputView(partial)).kind, ParseResult::Kind::need_more);
  p.reset();
  const std::string fresh = multibulk({"PING"});
  const ParseResult r = p.parse(InputView(fresh));
  ASSERT_EQ(r.kind, ParseResult::Kind::request);
  EXPECT_EQ(p.args().size(), 1u);
}

}  // namespace
}  // namespace weft::resp
