// weft-echo, the program, over datagrams: with a udp:// address every datagram from 0 B
// to 65,507 B comes back unchanged to a Python peer, with one loop, two loops sharing one
// socket, and a socket per loop (--loops 2 --reuseport), from several senders at once;
// unixgram:// too; --max-datagram cuts longer ones; flags about connections are refused;
// SIGTERM stops it.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "command.h"
#include "ports.h"
#include "program.h"
#include "weft/core/address.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Sends bytes from a fresh socket and returns the reply (nullopt after 5 s).
std::optional<std::string> echo_of(const Address& to, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::optional<std::string> result;
  if (::sendto(fd, bytes.data(), bytes.size(), 0, to.sockaddr_ptr(), to.length()) ==
      static_cast<ssize_t>(bytes.size())) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) == 1) {
      std::string buf(70000, '\0');
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n >= 0) result = buf.substr(0, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

// A Python peer (the socket module) that sends each size in `sizes` to `target` and checks
// that the same bytes come back; prints "ok N" with the number of datagrams checked.
// `family` is "AF_INET" (target "('127.0.0.1', port)") or "AF_UNIX" (target a quoted
// path; the peer binds `bind` to be answerable).
CommandResult python_peer(const std::string& family, const std::string& target, const std::string& sizes,
                          const std::string& bind = "None") {
  std::string script =
      "import socket\n"
      "s = socket.socket(socket.FAMILY, socket.SOCK_DGRAM)\n"
      "if BIND is not None: s.bind(BIND)\n"
      "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)\n"
      "s.settimeout(5)\n"
      "n = 0\n"
      "for size in SIZES:\n"
      "    m = bytes((i * 7 + size) % 251 for i in range(size))\n"
      "    s.sendto(m, TARGET)\n"
      "    d = s.recv(70000)\n"
      "    assert d == m, (size, len(d))\n"
      "    n += 1\n"
      "print('ok', n)\n";
  auto replace = [&](const std::string& key, const std::string& value) {
    script.replace(script.find(key), key.size(), value);
  };
  replace("FAMILY", family);
  replace("BIND", bind);
  replace("BIND", bind);
  replace("SIZES", sizes);
  replace("TARGET", target);
  return run_command({"/usr/bin/python3", "-c", script}, {}, 30s);
}

// 0 to 65,507 in steps of 4,099, and the edges: one byte, a full Ethernet frame's worth
// and one more, the largest IPv4 datagram.
const char* const kSizes = "sorted(set(list(range(0, 65508, 4099)) + [1, 1472, 1473, 65506, 65507]))";
constexpr size_t kSizeCount = 21;

struct ToolCase {
  std::string name;
  std::vector<std::string> args;
  std::string layout;  // What the start-up line says about sockets and loops.
};

void PrintTo(const ToolCase& c, std::ostream* os) {
  *os << c.name;
}

class UdpEchoTool : public ::testing::TestWithParam<ToolCase> {};

TEST_P(UdpEchoTool, EchoesEverySizeAndSeveralSenders) {
  uint16_t port = unused_udp_port();
  std::string addr = "udp://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> args = {"--addr", addr};
  for (const std::string& a : GetParam().args) args.push_back(a);
  Program echo(WEFT_ECHO_PATH, args);
  auto line = echo.wait_line("listening on " + addr);
  ASSERT_TRUE(line) << echo.output();
  EXPECT_NE(line->find(GetParam().layout), std::string::npos) << *line;

  CommandResult peer = python_peer("AF_INET", "('127.0.0.1', " + std::to_string(port) + ")", kSizes);
  EXPECT_EQ(peer.out, "ok " + std::to_string(kSizeCount) + "\n") << peer.describe();

  Address to = Address::parse(addr);
  std::vector<std::thread> senders;
  std::vector<int> ok(8, 0);
  for (int i = 0; i < 8; ++i) {
    senders.emplace_back([&, i] {
      std::string msg = "sender " + std::to_string(i);
      ok[i] = echo_of(to, msg) == msg;
    });
  }
  for (auto& t : senders) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(ok[i]) << "sender " << i;

  ASSERT_TRUE(echo.signal(SIGTERM));
  auto status = echo.wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

// Without --reuseport one socket serves; --loops 0 (the default) means one loop then.
INSTANTIATE_TEST_SUITE_P(
    Flags, UdpEchoTool,
    ::testing::Values(ToolCase{"one_loop", {}, "1 socket(s) on 1 loop(s)"},
                      ToolCase{"two_loops", {"--loops", "2"}, "1 socket(s) on 2 loop(s)"},
                      ToolCase{"reuseport", {"--loops", "2", "--reuseport"}, "2 socket(s) on 2 loop(s)"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(UdpEchoToolUnix, EchoesUnixDatagrams) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("weft-unixgram-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string server = (dir / "echo.sock").string();
  std::string client = (dir / "client.sock").string();
  Program echo(WEFT_ECHO_PATH, {"--addr", "unixgram://" + server});
  ASSERT_TRUE(echo.wait_line("listening on")) << echo.output();
  // A Unix datagram socket's default buffer holds about 200 KiB; 60,000 bytes fit.
  CommandResult peer = python_peer("AF_UNIX", "'" + server + "'", "[0, 1, 100, 4096, 60000]", "'" + client + "'");
  EXPECT_EQ(peer.out, "ok 5\n") << peer.describe();
  echo.signal(SIGTERM);
  echo.wait_exit();
  fs::remove_all(dir);
}

TEST(UdpEchoToolOptions, MaxDatagramCutsLongerOnes) {
  uint16_t port = unused_udp_port();
  std::string addr = "udp://127.0.0.1:" + std::to_string(port);
  Program echo(WEFT_ECHO_PATH, {"--addr", addr, "--max-datagram", "100", "--batch", "4"});
  ASSERT_TRUE(echo.wait_line("listening on")) << echo.output();
  Address to = Address::parse(addr);
  EXPECT_EQ(echo_of(to, std::string(150, 'a')), std::string(100, 'a'));
  EXPECT_EQ(echo_of(to, std::string(100, 'b')), std::string(100, 'b'));
}

TEST(UdpEchoToolOptions, FlagsThatDoNotApplyAreRefused) {
  auto run = [](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {WEFT_ECHO_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, 10s);
  };
  for (const char* flag : {"--workers", "--idle-timeout", "--shutdown-timeout"}) {
    CommandResult r = run({"--addr", "udp://127.0.0.1:0", flag, "2"});
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
  CommandResult tcp = run({"--addr", "tcp://127.0.0.1:0", "--max-datagram", "100"});
  EXPECT_EQ(tcp.exit_code, 2);
  EXPECT_NE(tcp.err.find("--max-datagram"), std::string::npos) << tcp.err;
}

}  // namespace
}  // namespace weft::test
