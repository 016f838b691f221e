// ExchangePool: what it lends is always fresh (a parser between messages, empty stores, no
// route or drain callback), it keeps at most its bound of returned states and frees the
// rest, and it counts what is out.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/exchange_state.h"

namespace weft::http::testing {
namespace {

using detail::ExchangePool;
using detail::ExchangeState;
using detail::RequestParser;

constexpr std::string_view kRequest = "GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(ExchangePool, LendsAFreshParserEvenAfterAHalfParsedRequest) {
  ExchangePool pool(Limits{}, 4);
  ExchangeState* first = pool.acquire();
  // Half a request, a body store in use and a drain callback: all gone at the next loan.
  RequestParser::Step step = first->parser.feed("POST /upload HTTP/1.1\r\nHo");
  EXPECT_EQ(step.event, RequestParser::Event::need_more);
  EXPECT_TRUE(first->parser.in_message());
  first->body_store = "old body";
  first->allow = "GET";
  first->route_status = 405;
  first->drain = [] {};
  pool.release(first);
  EXPECT_EQ(pool.lent(), 0u);
  EXPECT_EQ(pool.kept(), 1u);

  ExchangeState* again = pool.acquire();
  EXPECT_EQ(again, first);  // Reused, not reallocated.
  EXPECT_FALSE(again->parser.in_message());
  EXPECT_TRUE(again->body_store.empty());
  EXPECT_TRUE(again->allow.empty());
  EXPECT_EQ(again->route_status, 0);
  EXPECT_EQ(again->route, nullptr);
  EXPECT_FALSE(again->drain);
  step = again->parser.feed(kRequest);
  ASSERT_EQ(step.event, RequestParser::Event::head);
  EXPECT_EQ(step.used, kRequest.size());
  EXPECT_EQ(again->parser.head_size(), kRequest.size());
  pool.release(again);
}

TEST(ExchangePool, KeepsAtMostItsBoundAndFreesTheRest) {
  ExchangePool pool(Limits{}, 2);
  std::vector<ExchangeState*> out;
  for (int i = 0; i < 5; ++i) out.push_back(pool.acquire());
  EXPECT_EQ(pool.lent(), 5u);
  EXPECT_EQ(pool.kept(), 0u);
  for (ExchangeState* s : out) pool.release(s);
  EXPECT_EQ(pool.lent(), 0u);
  EXPECT_EQ(pool.kept(), 2u);
  pool.release(nullptr);  // Ignored.
  EXPECT_EQ(pool.lent(), 0u);
}

TEST(ExchangePool, GivesALargeBodyStoreBackToTheSystem) {
  ExchangePool pool(Limits{}, 2);
  ExchangeState* s = pool.acquire();
  s->body_store.assign(1 << 20, 'b');
  s->head_store.assign(100, 'h');
  const size_t head_capacity = s->head_store.capacity();
  pool.release(s);
  s = pool.acquire();
  EXPECT_LT(s->body_store.capacity(), size_t{1} << 20);
  EXPECT_EQ(s->head_store.capacity(), head_capacity);  // Small stores keep their room.
  pool.release(s);
}

}  // namespace
}  // namespace weft::http::testing
