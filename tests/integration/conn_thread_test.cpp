// The thread contract: Conn's methods are for its loop thread, and debug builds abort,
// naming the call, when one is made from another thread. (Release builds compile the
// check out, so there the test only says it was skipped.)

#include <gtest/gtest.h>

#include <thread>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

class Holder : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    RecordingHandler::on_open(conn);
    conn_.set(&conn);
  }
  OnceValue<Conn*> conn_;
};

TEST(ConnThreadContractDeathTest, AWriteFromAnotherThreadAbortsNamingTheCall) {
#ifdef NDEBUG
  GTEST_SKIP() << "release builds compile the thread checks out";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Holder handler;
        ServerOptions o;
        o.loops = 1;
        ServerFixture fixture(handler, o);
        LoopbackClient client(fixture.address());
        Conn* conn = *handler.conn_.wait();
        conn->write("from the wrong thread");  // This test thread is not the loop's.
      },
      "Conn::write called off its loop thread");
#endif
}

}  // namespace
}  // namespace weft::test
