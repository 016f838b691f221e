// Compiled by check.sh, never linked. Each line marked `// call` makes one awaitable;
// with AWAITED they are awaited (must compile under -Werror), without it they are
// discarded (each must draw an unused-result warning).

#include <chrono>
#include <span>
#include <string_view>

#include "weft/coro/coro.h"

#ifdef AWAITED
#define USE(x) (void)(co_await x)
#else
#define USE(x) x
#endif

using namespace std::chrono_literals;

weft::Task<> all(weft::Stream& s, weft::Channel<int>& ch, weft::codec::Decoder& d, weft::DatagramSocket& u,
                 const weft::Address& a, weft::Pool& p, weft::PoolLease& l) {
  char buf[4];
  std::string_view parts[2] = {"a", "b"};
  USE(s.read_some(buf));                                  // call
  USE(s.read_some());                                     // call
  USE(s.read_exact(buf));                                 // call
  USE(s.read_exact(4));                                   // call
  USE(s.read_until("\n"));                                // call
  USE(s.read_frame(d));                                   // call
  USE(s.write("x"));                                      // call
  USE(s.writev(std::span<const std::string_view>(parts)));  // call
  USE(weft::sleep(1ms));                                  // call
  USE(weft::with_timeout(1ms, s.read_some()));            // call
  USE(weft::dial("tcp://127.0.0.1:1"));                   // call
  USE(weft::offload([] { return 1; }));                   // call
  USE(ch.send(1));                                        // call
  USE(ch.recv());                                         // call
  USE(weft::udp_bind("udp://127.0.0.1:0"));               // call
  USE(weft::udp_connect("udp://127.0.0.1:9"));            // call
  USE(u.recv_from(buf));                                  // call
  USE(u.send_to("x", a));                                 // call
  USE(u.send("x"));                                       // call
  USE(p.acquire());                                       // call
  USE(p.acquire(1ms));                                    // call
  USE(l.write("x"));                                      // call
  USE(l.read_some());                                     // call
  USE(l.read_until("\n"));                                // call
  USE(l.read_exact(4));                                   // call
  USE(weft::with_timeout(1ms, l.read_until("\n")));       // call
  co_return;
}
