// A chat room: GET / serves the page, /chat is the WebSocket every browser tab joins.
// A message goes to everyone as one shared frame (no copy per receiver).
//
//   build/bin/example_ws_chat tcp://127.0.0.1:8080    then open http://127.0.0.1:8080/
//   in two browser tabs (or: python3 -m websockets ws://127.0.0.1:8080/chat).

#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "weft/http/server.h"
#include "weft/ws/websocket.h"

namespace {

constexpr std::string_view kPage = R"(<!DOCTYPE html>
<meta charset="utf-8"><title>weft chat</title>
<pre id="log"></pre>
<form id="f"><input id="msg" autofocus placeholder="say something"></form>
<script>
const ws = new WebSocket(`ws://${location.host}/chat`);
ws.onmessage = (e) => { log.textContent += e.data + "\n"; };
ws.onclose = (e) => { log.textContent += `(closed: ${e.code})\n`; };
f.onsubmit = (e) => { e.preventDefault(); ws.send(msg.value); msg.value = ""; };
</script>
)";

// Connections live on several loops: the room keeps their handles, which work from any.
class Room final : public weft::ws::Handler {
 public:
  void on_open(weft::ws::WebSocket& ws) override {
    std::lock_guard lock(mutex_);
    members_.push_back(ws.handle());
  }
  void on_message(weft::ws::WebSocket& ws, weft::ws::MessageType, std::string_view text) override {
    const auto frame = weft::ws::Frame::text(ws.remote_address().to_string() + ": " + std::string(text));
    std::vector<weft::ws::Handle> members;
    {
      std::lock_guard lock(mutex_);
      members = members_;
    }
    for (const auto& member : members) member.send(frame);  // A reference, not a copy.
  }
  void on_close(weft::ws::WebSocket& ws, uint16_t, std::string_view) override {
    std::lock_guard lock(mutex_);
    std::erase(members_, ws.handle());
  }

 private:
  std::mutex mutex_;
  std::vector<weft::ws::Handle> members_;
};

}  // namespace

int main(int argc, char** argv) {
  const char* address = argc > 1 ? argv[1] : "tcp://127.0.0.1:8080";
  try {
    Room room;
    weft::http::Router router;
    router.get("/", [](weft::http::Request&, weft::http::Response& res) {
      res.content_type("text/html; charset=utf-8").send(200, kPage);
    });
    weft::ws::Options ws_options;
    ws_options.max_message = 64 * 1024;
    ws_options.ping_interval = std::chrono::seconds(30);  // Drops clients that vanished.
    weft::ws::route(router, "/chat", room, ws_options);

    weft::http::Options options;
    options.net.loops = 2;
    options.net.stop_signals = {SIGINT, SIGTERM};  // Ctrl-C: every client gets close 1001.
    weft::http::Server server(router, options);
    server.listen(address);
    std::printf("ws_chat on %s\n", server.address().to_string().c_str());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ws_chat: %s\n", e.what());
    return 1;
  }
}
