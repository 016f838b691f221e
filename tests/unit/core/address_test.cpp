#include "weft/core/address.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(Address, ParsesTcpForms) {
  Address v4 = Address::parse("tcp://127.0.0.1:7000");
  EXPECT_EQ(v4.family(), AF_INET);
  EXPECT_EQ(v4.port(), 7000);
  EXPECT_EQ(v4.to_string(), "tcp://127.0.0.1:7000");
  Address v6 = Address::parse("tcp://[::1]:0");
  EXPECT_EQ(v6.family(), AF_INET6);
  EXPECT_EQ(v6.to_string(), "tcp://[::1]:0");
  EXPECT_EQ(Address::parse("tcp://:80").host(), "0.0.0.0");
  EXPECT_EQ(Address::parse("127.0.0.1:9").port(), 9);
  EXPECT_EQ(Address::parse("tcp://localhost:5").port(), 5);
}

TEST(Address, ParsesUnixForms) {
  Address path = Address::parse("unix:///tmp/weft.sock");
  EXPECT_TRUE(path.is_unix());
  EXPECT_EQ(path.host(), "/tmp/weft.sock");
  EXPECT_EQ(path.to_string(), "unix:///tmp/weft.sock");
  Address abstract = Address::parse("unix://@weft-test");
  EXPECT_EQ(abstract.host(), "@weft-test");
}

TEST(Address, ParsesDatagramForms) {
  Address v4 = Address::parse("udp://127.0.0.1:7001");
  EXPECT_TRUE(v4.is_datagram());
  EXPECT_EQ(v4.port(), 7001);
  EXPECT_EQ(v4.to_string(), "udp://127.0.0.1:7001");
  EXPECT_EQ(Address::parse("udp://[::1]:9").to_string(), "udp://[::1]:9");
  Address gram = Address::parse("unixgram:///tmp/weft.dgram");
  EXPECT_TRUE(gram.is_unix() && gram.is_datagram());
  EXPECT_EQ(gram.to_string(), "unixgram:///tmp/weft.dgram");
  EXPECT_FALSE(Address::parse("tcp://127.0.0.1:1").is_datagram());
}

TEST(Address, RejectsMalformedWithAClearMessage) {
  for (const char* bad : {"tcp://127.0.0.1", "tcp://127.0.0.1:99999", "tcp://127.0.0.1:x", "sctp://1.2.3.4:5", "udp://1.2.3.4",
                          "tcp://::1:80", "tcp://[::1]80", "unix://", "tcp://no-such-host.invalid:1"}) {
    try {
      Address::parse(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(Address, HostHashIgnoresThePort) {
  EXPECT_EQ(Address::parse("tcp://10.0.0.1:1").host_hash(), Address::parse("tcp://10.0.0.1:2").host_hash());
  EXPECT_NE(Address::parse("tcp://10.0.0.1:1").host_hash(), Address::parse("tcp://10.0.0.2:1").host_hash());
}

}  // namespace
}  // namespace weft
