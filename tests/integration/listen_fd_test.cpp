// Server::listen_fd: a server serves a socket someone else bound and listened on, and its
// stop leaves that socket listening for the other holders (a supervisor, the next
// generation), with connections queued meanwhile served by the next server.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "core/socket.h"
#include "loopback_client.h"
#include "recording_handler.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

int listening_socket() {
  std::error_code ec;
  int fd = detail::listen_socket(Address::parse("tcp://127.0.0.1:0"), {}, ec);
  EXPECT_GE(fd, 0) << ec.message();
  return fd;
}

class Echo final : public Handler {
 public:
  void on_traffic(Conn& conn) override { conn.write(conn.read()); }
};

TEST(ListenFd, ServesAnInheritedSocketAndLeavesItListeningAfterStop) {
  int fd = listening_socket();
  Address address = detail::local_address(fd);
  Echo echo;
  {
    Server first(echo, {.loops = 1});
    first.listen_fd(::dup(fd));
    EXPECT_EQ(first.address().port(), address.port());
    first.start();
    LoopbackClient client(address);
    ASSERT_TRUE(client.connected()) << client.connect_error();
    EXPECT_TRUE(client.echo_pattern(1, 4096).ok());
    client.close();
    first.stop();
    first.wait();
  }
  // Nobody accepts now, but the socket is still listening: the connection is queued, not
  // refused, and the next server to adopt the socket serves it.
  LoopbackClient queued(address);
  ASSERT_TRUE(queued.connected()) << queued.connect_error();
  ASSERT_TRUE(queued.send_all("queued").ok());
  Server second(echo, {.loops = 1});
  second.listen_fd(fd);
  second.start();
  std::string back;
  EXPECT_TRUE(queued.read_exact(back, 6).ok());
  EXPECT_EQ(back, "queued");
  queued.close();
}

TEST(ListenFd, RejectsADescriptorThatIsNotListening) {
  Echo echo;
  Server server(echo, {.loops = 1});
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_THROW(server.listen_fd(fd), std::invalid_argument);
  ::close(fd);
}

}  // namespace
}  // namespace weft::test
