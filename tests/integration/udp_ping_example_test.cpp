// examples/udp_ping, the program: through a dialed socket, every ping comes back from
// weft-echo over UDP (exit 0), and a port nobody listens on is reported as refused (exit 1).

#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "command.h"
#include "ports.h"
#include "program.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

TEST(UdpPingExample, EveryPingComesBackFromWeftEcho) {
  std::string addr = "udp://127.0.0.1:" + std::to_string(unused_udp_port());
  Program echo(WEFT_ECHO_PATH, {"--addr", addr, "--loops", "1"});
  ASSERT_TRUE(echo.wait_line("listening on " + addr)) << echo.output();
  CommandResult r = run_command({WEFT_EXAMPLE_UDP_PING, addr, "3"}, {}, 20s);
  EXPECT_EQ(r.exit_code, 0) << r.describe() << r.out;
  for (const char* seq : {"seq=1 ", "seq=2 ", "seq=3 "}) EXPECT_NE(r.out.find(seq), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 of 3 answered"), std::string::npos) << r.out;
  echo.signal(SIGTERM);
  echo.wait_exit();
}

TEST(UdpPingExample, AClosedPortIsRefused) {
  std::string addr = unused_udp_address().to_string();
  CommandResult r = run_command({WEFT_EXAMPLE_UDP_PING, addr, "3"}, {}, 20s);
  EXPECT_EQ(r.exit_code, 1) << r.describe() << r.out;
  EXPECT_NE(r.out.find(addr + ": " + std::make_error_code(std::errc::connection_refused).message()), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("0 of 3 answered"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace weft::test
