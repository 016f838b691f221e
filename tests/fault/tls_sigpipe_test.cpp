// A TLS write to a peer that has gone fails with EPIPE instead of raising SIGPIPE, whose
// default action would end the process: OpenSSL writes with write(2), which cannot ask for
// MSG_NOSIGNAL, so the transport blocks SIGPIPE on its loop's thread and takes the pending
// signal after such a write. The test process keeps SIGPIPE's default action.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "tls_files.h"
#include "transport/transport.h"
#include "weft/tls/context.h"

namespace weft::test {
namespace {

class TlsSigpipe : public TlsSuite {};

bool sigpipe_pending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

TEST_F(TlsSigpipe, AHandshakeWrittenToAClosedPeerFailsWithEpipe) {
  ASSERT_EQ(::signal(SIGPIPE, SIG_DFL), SIG_DFL);  // Nobody ignores it for the transport.
  auto tls = tls::Context::client({.ca_file = file("ca.pem"), .verify_peer = false});
  for (int i = 0; i < 3; ++i) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ::close(fds[1]);  // The peer has gone: writing the ClientHello raises SIGPIPE.
    detail::Transport* t = tls->make_transport(TransportSetup{fds[0], {}, false});
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->handshake(fds[0]), -EPIPE);
    EXPECT_FALSE(sigpipe_pending());  // Taken, not left to be delivered later.
    t->goodbye(fds[0]);
    t->release();
    ::close(fds[0]);
  }
}

}  // namespace
}  // namespace weft::test
