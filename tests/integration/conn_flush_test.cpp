// Conn::flush: what one connection's on_traffic writes to another leaves at once rather
// than in the loop's flush phase; a later write to the flushed connection still leaves in
// that phase; inside a connection's own on_traffic flush() changes nothing.

#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

// The first connection is the sink; every later one forwards what it reads to the sink,
// once flushed at once and once left for the flush phase, and records the sink's queue.
class Forward : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    if (sink_ == nullptr) sink_ = &conn;
    RecordingHandler::on_open(conn);
  }
  void on_traffic(Conn& conn) override {
    if (&conn == sink_) {
      conn.discard();
      return;
    }
    std::string bytes(conn.read());
    sink_->write(bytes);
    const size_t queued = sink_->outbound_size();
    sink_->flush();
    const size_t after_flush = sink_->outbound_size();
    sink_->write(bytes);  // Left for the loop's flush phase.
    const size_t second = sink_->outbound_size();
    // Its own output: flushed when this callback returns, whatever flush() is asked.
    conn.write(bytes);
    const size_t own = conn.outbound_size();
    conn.flush();
    const size_t own_after = conn.outbound_size();
    std::lock_guard lock(mutex_);
    record_ = {queued, after_flush, second, own, own_after};
    done.set(true);
  }
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override {
    if (&conn == sink_) sink_ = nullptr;
    RecordingHandler::on_close(conn, reason, error);
  }
  struct Record {
    size_t queued, after_flush, second, own, own_after;
  };
  Record record() {
    std::lock_guard lock(mutex_);
    return record_;
  }
  OnceValue<bool> done;

 private:
  Conn* sink_ = nullptr;  // Loop thread only.
  std::mutex mutex_;
  Record record_{};
};

TEST(ConnFlush, SendsAnotherConnectionsOutputAtOnce) {
  Forward handler;
  ServerOptions o;
  o.loops = 1;
  ServerFixture fixture(handler, o);
  LoopbackClient sink(fixture.address());
  ASSERT_TRUE(sink.connected());
  ASSERT_TRUE(handler.opened.wait_for(1));
  LoopbackClient source(fixture.address());
  ASSERT_TRUE(source.connected());
  ASSERT_TRUE(source.send_all("hello").ok());
  ASSERT_TRUE(handler.done.wait());

  Forward::Record r = handler.record();
  EXPECT_EQ(r.queued, 5u);
  EXPECT_EQ(r.after_flush, 0u) << "flush() handed the bytes to the kernel";
  EXPECT_EQ(r.second, 5u);
  EXPECT_EQ(r.own, 5u);
  EXPECT_EQ(r.own_after, 5u) << "inside its own on_traffic, the output waits for the callback's end";

  std::string got;
  ASSERT_TRUE(sink.read_exact(got, 10).ok());
  EXPECT_EQ(got, "hellohello");
  ASSERT_TRUE(source.read_exact(got, 5).ok());
  EXPECT_EQ(got, "hello");
}

}  // namespace
}  // namespace weft::test
