// allow_half_open: the peer's end of file reaches on_traffic as Conn::input_ended() after
// every byte before it, and the connection stays open for writing until the handler
// closes it, here from a timer. Without the option the connection closes once flushed.

#include <gtest/gtest.h>

#include <string>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

// Collects the request; when the input ends, answers later from a timer and closes.
class LateAnswer : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    request_ += conn.read();
    if (!conn.input_ended()) return;
    ended.add();
    ConnHandle h = conn.handle();
    std::string answer = "got " + std::to_string(request_.size()) + " bytes: " + request_;
    conn.loop().run_after(std::chrono::milliseconds(20), [h, answer] {
      h.post([answer](Conn& c) {
        c.write(answer);
        c.close();
      });
    });
  }
  Counter ended;

 private:
  std::string request_;  // One connection per test.
};

TEST(HalfOpen, TheHandlerAnswersAfterThePeersEndOfFile) {
  LateAnswer handler;
  ServerOptions o;
  o.loops = 1;
  o.allow_half_open = true;
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  ASSERT_TRUE(client.send_all("question").ok());
  client.shutdown_write();
  std::string answer;
  IoResult r = client.read_to_eof(answer);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(answer, "got 8 bytes: question");
  EXPECT_EQ(handler.ended.value(), 1u) << "input_ended() is reported once";
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::local) << closes[0].describe();
}

TEST(HalfOpen, WithoutTheOptionTheConnectionClosesOnceFlushed) {
  LateAnswer handler;
  ServerOptions o;
  o.loops = 1;
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  ASSERT_TRUE(client.send_all("question").ok());
  client.shutdown_write();
  std::string answer;
  IoResult r = client.read_to_eof(answer);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(answer, "") << "the late answer found the connection closed";
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::peer_closed) << closes[0].describe();
  EXPECT_EQ(handler.ended.value(), 0u) << "without the option the handler never sees input_ended()";
}

}  // namespace
}  // namespace weft::test
