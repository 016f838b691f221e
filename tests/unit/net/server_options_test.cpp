// ServerOptions are checked once, by Server's constructor: a bad value throws
// std::invalid_argument naming the field.

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "weft/net/handler.h"
#include "weft/net/server.h"

namespace weft {
namespace {

struct BadOption {
  const char* field;
  std::function<void(ServerOptions&)> set;
};

TEST(ServerOptions, InconsistentOptionsThrowNamingTheField) {
  const BadOption cases[] = {
      {"loops", [](ServerOptions& o) { o.loops = 5000; }},
      {"backlog", [](ServerOptions& o) { o.backlog = 0; }},
      {"low_water_mark", [](ServerOptions& o) { o.low_water_mark = o.high_water_mark + 1; }},
      {"max_outbound", [](ServerOptions& o) { o.max_outbound = o.high_water_mark - 1; }},
      {"max_inbound", [](ServerOptions& o) { o.max_inbound = 0; }},
      {"idle_timeout", [](ServerOptions& o) { o.idle_timeout = std::chrono::seconds(-1); }},
      {"shutdown_timeout", [](ServerOptions& o) { o.shutdown_timeout = std::chrono::seconds(-1); }},
      {"buffer", [](ServerOptions& o) { o.receive_buffer = -1; }},
      {"buffer", [](ServerOptions& o) { o.send_buffer = -1; }},
      {"read_buffer_size", [](ServerOptions& o) { o.loop.read_buffer_size = 10; }},
  };
  Handler handler;
  for (const BadOption& c : cases) {
    ServerOptions o;
    o.loops = 1;
    c.set(o);
    try {
      Server server(handler, o);
      ADD_FAILURE() << "a bad " << c.field << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(c.field), std::string::npos) << e.what();
    }
  }
}

TEST(ServerOptions, DefaultsAreValidAndZeroLoopsMeansOnePerCore) {
  Handler handler;
  Server server(handler);
  EXPECT_GE(server.loop_count(), 1u);
  EXPECT_EQ(server.loop_count(), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(server.options().max_connections, 0u);
  ServerOptions o;
  o.max_outbound = 0;  // No limit is allowed.
  o.loops = 3;
  Server unlimited(handler, o);
  EXPECT_EQ(unlimited.loop_count(), 3u);
}

}  // namespace
}  // namespace weft
