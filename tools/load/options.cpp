#include "options.h"

#include <string>

#include "admin_flag.h"
#include "cli.h"
#include "codec.h"

namespace weft_load {

const char* proto_name(Proto p) noexcept {
  switch (p) {
    case Proto::echo: return "echo";
    case Proto::line: return "line";
    case Proto::length: return "length";
  }
  return "?";
}

Options parse_options(int argc, char** argv) {
  Options o;
  weft::tools::App app("weft-load",
                       "A verifying load generator for echo-style servers: every reply is checked byte for byte.");
  app.footer("Exit status: 0 ok, 1 errors were detected (or idle connections failed), 2 usage.");
  app.add_address("--addr", o.addr, "the server: tcp://host:port, tcp://[v6]:port, unix:///path or unix://@name");
  app.add_number("--conns", o.conns, "connections", 1u, 1'000'000u);
  app.add_size("--size", o.size, "bytes per message on the wire, framing included (at most 64MiB)");
  app.add_number("--pipeline", o.pipeline, "messages in flight per connection", 1u, 1'000'000u);
  app.add_duration("--duration", o.duration_s, "measured window (in idle mode: how long connections are held)");
  app.add_duration("--warmup", o.warmup_s, "load before the window, not recorded");
  app.add_number("--threads", o.threads, "client threads, one epoll loop each", 1u, 1024u);
  app.add_number("--rate", o.rate,
                 "fixed-rate mode: requests/s in total, spread evenly over connections; latency counts from the "
                 "intended send time; 0 is closed-loop",
                 0.0, 1e9);
  app.add_choice("--proto", o.proto, {{"echo", Proto::echo}, {"line", Proto::line}, {"length", Proto::length}},
                 "echo: raw bytes; line: '\\n'-terminated lines; length: 4-byte big-endian length prefix + payload");
  app.add_number("--idle", o.idle, "idle mode: open N connections and hold them for --duration; 0 is off", 0u,
                 1'000'000u);
  app.add_duration("--connect-timeout", o.connect_timeout_s, "per connection attempt");
  app.add_duration("--response-timeout", o.response_timeout_s,
                   "a message unanswered for this long is an error: it catches lost bytes that would otherwise "
                   "stall");
  app.add_number("--server-pid", o.server_pid, "also report that process's CPU time and RSS over the window; 0 is off",
                 0, 1 << 30)
      ->type_name("PID");
  app.add_flag("--json", o.json, "print one JSON object instead of text");
  weft::tools::add_admin_flag(app, o.admin);
  app.parse_or_exit(argc, argv);

  if (o.duration_s <= 0) app.fail("--duration: expected seconds > 0");
  if (o.connect_timeout_s <= 0) app.fail("--connect-timeout: expected seconds > 0");
  if (o.response_timeout_s <= 0) app.fail("--response-timeout: expected seconds > 0");
  if (o.size > (64u << 20)) app.fail("--size: at most 64MiB");
  if (o.size < Codec::min_size(o.proto)) {
    app.fail("--size: at least " + std::to_string(Codec::min_size(o.proto)) + " for --proto " + proto_name(o.proto));
  }
  return o;
}

}  // namespace weft_load
