// Bodies too large to hold: a route that streams the request body sees it piece by piece
// (Content-Length and chunked), and a handler streaming a large response follows the
// connection's water marks instead of queueing it all.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "http_support.h"
#include "weft/http/router.h"

namespace weft::test {
namespace {

std::string pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (i * 13) % 26);
  return s;
}

// A running checksum of what a streamed body delivered.
struct Tally {
  uint64_t bytes = 0;
  uint64_t sum = 0;
  size_t pieces = 0;
  void add(std::string_view piece) {
    ++pieces;
    for (char c : piece) sum = sum * 31 + static_cast<unsigned char>(c);
    bytes += piece.size();
  }
};

std::string tally_of(std::string_view data) {
  Tally t;
  t.add(data);
  return std::to_string(t.bytes) + " " + std::to_string(t.sum);
}

http::Router streaming_router() {
  http::Router router;
  router.post("/upload/:name",
              [](http::Request& req, http::Response& res) {
                auto tally = std::make_shared<Tally>();
                std::string name(req.param("name"));
                req.on_body([tally, name, &res](std::string_view piece, bool last) {
                  if (!last) {
                    tally->add(piece);
                    return;
                  }
                  res.header("X-Pieces", std::to_string(tally->pieces))
                      .send(200, name + " " + std::to_string(tally->bytes) + " " + std::to_string(tally->sum));
                });
              },
              {.stream_body = true});
  return router;
}

TEST(HttpStreaming, StreamsRequestBodiesPieceByPiece) {
  http::Options options;
  options.limits.max_body = 64 * 1024 * 1024;
  http::Router router = streaming_router();
  HttpFixture server(router, options);
  LoopbackClient client(server.address());
  std::string pending;
  const std::string body = pattern(8 * 1024 * 1024);
  ASSERT_TRUE(client
                  .send_all("POST /upload/big HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n")
                  .ok());
  BackgroundSend sender(client, body);
  auto reply = read_reply(client, pending);
  ASSERT_TRUE(sender.wait().ok());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "big " + tally_of(body));
  EXPECT_GT(std::stoul(reply->header("X-Pieces")), 1u);
  // Chunked, on the same connection.
  std::string chunked;
  for (size_t at = 0; at < 100000; at += 1000) chunked += "3e8\r\n" + body.substr(at, 1000) + "\r\n";
  chunked += "0\r\n\r\n";
  ASSERT_TRUE(
      client.send_all("POST /upload/chunks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked).ok());
  auto second = read_reply(client, pending);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "chunks " + tally_of(std::string_view(body).substr(0, 100000)));
}

TEST(HttpStreaming, LargeResponsesFollowTheWaterMarks) {
  constexpr size_t kChunk = 64 * 1024;
  constexpr size_t kTotal = 32 * 1024 * 1024;
  http::Options options;
  options.net.high_water_mark = 256 * 1024;
  options.net.low_water_mark = 64 * 1024;
  std::atomic<size_t> most_unsent{0};
  std::atomic<int> drains{0};
  OnceValue<bool> congested;
  const std::string chunk = pattern(kChunk);
  http::Router router;
  router.get("/big", [&](http::Request&, http::Response& res) {
    res.begin(kTotal);
    auto sent = std::make_shared<size_t>(0);
    auto pump = std::make_shared<std::function<void()>>();
    *pump = [&, sent, pump] {
      while (*sent < kTotal && !res.congested()) {
        res.write(chunk);
        *sent += kChunk;
        most_unsent = std::max(most_unsent.load(), res.unsent());
      }
      if (*sent == kTotal) {
        res.end();
        *pump = nullptr;  // Breaks the cycle once done.
        return;
      }
      congested.set(true);
      drains.fetch_add(1);
      res.on_drain([pump] { (*pump)(); });
    };
    (*pump)();
  });
  HttpFixture server(router, options);
  ClientOptions small;
  small.receive_buffer = 64 * 1024;
  LoopbackClient client(server.address(), small);
  ASSERT_TRUE(client.send_all("GET /big HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  // The client reads nothing until the server has had to wait.
  ASSERT_TRUE(congested.wait());
  std::string pending;
  auto reply = read_reply(client, pending);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->body.size(), kTotal);
  EXPECT_EQ(reply->body.substr(kTotal - kChunk), chunk);
  EXPECT_GT(drains.load(), 1);
  // The output never held much more than the high water mark.
  EXPECT_LE(most_unsent.load(), options.net.high_water_mark + kChunk);
}

}  // namespace
}  // namespace weft::test
