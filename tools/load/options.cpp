#include "options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

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

namespace {

constexpr const char* kUsage = R"(usage: weft-load [options]

  --addr URI             tcp://host:port, tcp://[v6]:port or unix:///path
                         (default tcp://127.0.0.1:7000)
  --conns N              connections (default 100)
  --size BYTES           bytes per message on the wire, framing included (default 64)
  --pipeline N           messages in flight per connection (default 1)
  --duration SEC         measured window (default 10)
  --warmup SEC           load before the window, not recorded (default 1)
  --threads N            client threads, one epoll loop each (default 1)
  --rate R               fixed-rate mode: R requests/s in total, spread evenly over
                         connections; latency counts from the intended send time
  --proto echo|line|length
                         echo: raw bytes; line: '\n'-terminated lines;
                         length: 4-byte big-endian length prefix + payload
  --idle N               idle mode: open N connections, hold them for --duration
  --connect-timeout SEC  per connection attempt (default 5)
  --response-timeout SEC a message unanswered for this long is an error: it
                         catches lost bytes that would otherwise stall (default 2)
  --server-pid PID       also report that process's CPU time and RSS over the window
  --json                 print one JSON object instead of text
  --help

Exit status: 0 ok, 1 errors were detected (or idle connections failed), 2 usage.
)";

constexpr std::string_view kValued[] = {
    "--addr", "--conns", "--size", "--pipeline",        "--duration",         "--warmup",     "--threads",
    "--rate", "--proto", "--idle", "--connect-timeout", "--response-timeout", "--server-pid",
};

bool parse_unsigned(std::string_view text, unsigned long max, unsigned long& out) {
  if (text.empty()) return false;
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || s[0] == '-' || v > max) return false;
  out = v;
  return true;
}

bool parse_double(std::string_view text, double& out) {
  if (text.empty()) return false;
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v) || v < 0) return false;
  out = v;
  return true;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    std::string_view name = arg.substr(0, arg.find('='));
    if (std::find(std::begin(kValued), std::end(kValued), name) == std::end(kValued)) {
      std::fprintf(stderr, "weft-load: unknown option %.*s (see --help)\n", static_cast<int>(name.size()), name.data());
      return std::nullopt;
    }
    std::string_view value;
    bool have_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      have_value = true;
    } else if (i + 1 < argc) {
      value = argv[i + 1];
      have_value = true;
      ++i;
    }
    auto fail = [&](const char* why) {
      std::fprintf(stderr, "weft-load: %.*s: %s (see --help)\n", static_cast<int>(name.size()), name.data(), why);
      return std::nullopt;
    };
    if (!have_value) return fail("missing value");

    unsigned long u = 0;
    double d = 0;
    if (name == "--addr") {
      o.addr = std::string(value);
    } else if (name == "--conns") {
      if (!parse_unsigned(value, 1'000'000, u) || u == 0) return fail("expected 1..1000000");
      o.conns = static_cast<unsigned>(u);
    } else if (name == "--size") {
      if (!parse_unsigned(value, 64ul << 20, u)) return fail("expected a byte count up to 64 MiB");
      o.size = u;
    } else if (name == "--pipeline") {
      if (!parse_unsigned(value, 1'000'000, u) || u == 0) return fail("expected 1..1000000");
      o.pipeline = static_cast<unsigned>(u);
    } else if (name == "--duration") {
      if (!parse_double(value, d) || d <= 0) return fail("expected seconds > 0");
      o.duration_s = d;
    } else if (name == "--warmup") {
      if (!parse_double(value, d)) return fail("expected seconds >= 0");
      o.warmup_s = d;
    } else if (name == "--threads") {
      if (!parse_unsigned(value, 1024, u) || u == 0) return fail("expected 1..1024");
      o.threads = static_cast<unsigned>(u);
    } else if (name == "--rate") {
      if (!parse_double(value, d) || d <= 0) return fail("expected requests/s > 0");
      o.rate = d;
    } else if (name == "--proto") {
      if (value == "echo")
        o.proto = Proto::echo;
      else if (value == "line")
        o.proto = Proto::line;
      else if (value == "length")
        o.proto = Proto::length;
      else
        return fail("expected echo, line or length");
    } else if (name == "--idle") {
      if (!parse_unsigned(value, 1'000'000, u) || u == 0) return fail("expected 1..1000000");
      o.idle = static_cast<unsigned>(u);
    } else if (name == "--connect-timeout") {
      if (!parse_double(value, d) || d <= 0) return fail("expected seconds > 0");
      o.connect_timeout_s = d;
    } else if (name == "--response-timeout") {
      if (!parse_double(value, d) || d <= 0) return fail("expected seconds > 0");
      o.response_timeout_s = d;
    } else if (name == "--server-pid") {
      if (!parse_unsigned(value, 1u << 30, u) || u == 0) return fail("expected a pid");
      o.server_pid = static_cast<int>(u);
    } else {
      std::fprintf(stderr, "weft-load: unknown option %.*s (see --help)\n", static_cast<int>(name.size()), name.data());
      return std::nullopt;
    }
  }
  if (o.size < Codec::min_size(o.proto)) {
    std::fprintf(stderr, "weft-load: --size must be at least %zu for --proto %s\n", Codec::min_size(o.proto),
                 proto_name(o.proto));
    return std::nullopt;
  }
  return o;
}

}  // namespace weft_load
