#pragma once
// Heartbeat: notices dead peers on quiet connections (ServerOptions::heartbeat,
// ClientOptions::heartbeat). Every `interval`, each open connection that has written
// nothing since the last beat is offered Handler::on_heartbeat, where the handler writes
// the protocol's ping (a codec frame, a PING line), and one that has read nothing for
// `misses` beats in a row is closed with CloseReason::heartbeat (Errc::heartbeat_timeout).
// One timer per loop walks the loop's connections; a connection costs one byte for it.
//
//   weft::ServerOptions o;
//   o.heartbeat = {.interval = 30s, .misses = 3};
//   void on_heartbeat(weft::Conn& c) override { c.write("PING\r\n"); }   // in the Handler

#include "weft/core/time.h"

namespace weft {

struct Heartbeat {
  Duration interval = Duration::zero();  // Zero: no heartbeat.
  unsigned misses = 3;                   // Beats without input before the close (1 to 15).
};

}  // namespace weft
