// Views of one connection's input stay valid and unchanged whatever the handler does with
// other connections on the same loop: a decoder walking connection A's view while the
// handler peeks at connection B (whose bytes span blocks, so B's peek joins them and B's
// view builds a segment array) still sees A's bytes.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"

namespace weft::test {
namespace {

constexpr size_t kBig = 40 * 1024;  // More than two 16 KiB blocks once kept.

// Keeps every connection's input unconsumed until the marker byte '!' ends it. When A
// ("a" first byte) has its whole message, it takes views of A, then reads B's kept bytes
// through peek and inbound, then checks A's views again.
class CrossPeekHandler : public Handler {
 public:
  void on_open(Conn& conn) override { conns_.push_back(&conn); }
  void on_close(Conn& conn, CloseReason, std::error_code) override { std::erase(conns_, &conn); }

  void on_traffic(Conn& conn) override {
    std::string_view first = conn.peek(1);
    if (first != "a" || conn.inbound().find('!') == InputView::npos) return;  // Keep it all.
    Conn* b = nullptr;
    for (Conn* c : conns_) {
      if (c != &conn && c->inbound_size() >= kBig) b = c;
    }
    if (b == nullptr) {
      result.set("B's bytes are not kept yet");
      return;
    }
    InputView a_view = conn.inbound();
    std::string_view a_peek = conn.peek(conn.inbound_size());
    const std::string a_expected = a_view_copy(a_view);

    // Work on B: a join over blocks and a segment array of its own.
    std::string_view b_peek = b->peek(b->inbound_size());
    InputView b_view = b->inbound();
    std::string b_copy(b_view.size(), '\0');
    b_view.copy_to(0, b_copy.size(), b_copy.data());

    std::string failure;
    if (a_view_copy(a_view) != a_expected) failure += "A's inbound view changed; ";
    if (std::string(a_peek) != a_expected) failure += "A's peek changed; ";
    if (a_view.segment_count() < 2) failure += "A's view did not span segments (" + std::to_string(a_view.segment_count()) + ", " + std::to_string(a_view.size()) + " bytes), so the test proves little; ";
    if (std::string(b_peek) != b_copy) failure += "B's peek and view disagree; ";
    if (b_copy.front() != 'b') failure += "B's view shows someone else's bytes; ";
    result.set(failure.empty() ? "ok" : failure);
    conn.close();
  }

  // Bytes kept by the connection whose input starts with `first`. Loop thread.
  size_t kept_of(char first) {
    for (Conn* c : conns_) {
      if (c->inbound_size() > 0 && c->peek(1)[0] == first) return c->inbound_size();
    }
    return 0;
  }

  static std::string a_view_copy(const InputView& v) {
    std::string s(v.size(), '\0');
    v.copy_to(0, s.size(), s.data());
    return s;
  }

  OnceValue<std::string> result;

 private:
  std::vector<Conn*> conns_;  // Loop thread only (one loop).
};

TEST(ViewIsolation, PeekingAnotherConnectionLeavesThisConnectionsViewsIntact) {
  CrossPeekHandler handler;
  ServerOptions o;
  o.loops = 1;
  ServerFixture fixture(handler, o);

  EventLoop& loop = fixture.server().loop(0);
  // Waits until the server keeps n bytes for the connection whose input starts with first.
  auto wait_kept = [&](char first, size_t n) {
    for (int i = 0; i < 20000; ++i) {
      std::optional<size_t> kept = call_on_loop(loop, [&] { return handler.kept_of(first); });
      if (!kept || *kept >= n) return kept.has_value();
    }
    return false;
  };

  LoopbackClient b(fixture.address());
  ASSERT_TRUE(b.connected()) << b.connect_error();
  std::string b_bytes = "b" + std::string(kBig, 'y');  // No marker among them.
  ASSERT_TRUE(b.send_all(b_bytes).ok());
  ASSERT_TRUE(wait_kept('b', b_bytes.size()));  // B never sends its marker.

  LoopbackClient a(fixture.address());
  ASSERT_TRUE(a.connected()) << a.connect_error();
  std::string a_bytes = "a" + std::string(kBig, 'x');
  ASSERT_TRUE(a.send_all(a_bytes).ok());
  // A's bytes are kept in blocks before its marker arrives, so its view spans segments.
  ASSERT_TRUE(wait_kept('a', a_bytes.size()));
  ASSERT_TRUE(a.send_all("!").ok());

  auto result = handler.result.wait();
  ASSERT_TRUE(result.has_value()) << "the handler never saw A's whole message";
  EXPECT_EQ(*result, "ok");
}

}  // namespace
}  // namespace weft::test
