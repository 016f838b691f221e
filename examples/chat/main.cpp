// A line chat with callbacks: a client's first line is its name; every later line goes to
// every other client as "name: line". One SharedBytes carries a line to all of them.
//
//   build/bin/example_chat tcp://127.0.0.1:7000    then, in several terminals:  nc 127.0.0.1 7000
//
// Clients may sit on different loops, so the room holds ConnHandles (any thread) behind
// a mutex. Compare examples/chat_coro, the same chat with coroutines.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "weft/weft.h"

class Chat : public weft::Handler {
 public:
  void on_open(weft::Conn& conn) override { conn.set_context(new std::string()); }

  void on_traffic(weft::Conn& conn) override {
    auto& name = *conn.context_as<std::string>();
    for (;;) {
      size_t end = conn.inbound().find('\n');
      if (end == weft::InputView::npos) {
        if (conn.inbound_size() > kMaxLine) conn.close();  // A line too long: goodbye.
        return;
      }
      std::string_view line = conn.read(end + 1);
      line.remove_suffix(line.size() > 1 && line[line.size() - 2] == '\r' ? 2 : 1);
      if (name.empty()) {  // The first line names the client, who then joins the room.
        name = line.empty() ? "anonymous" : std::string(line);
        conn.write("welcome " + name + "\n");
        std::lock_guard lock(mutex_);
        members_.push_back(conn.handle());
        continue;
      }
      broadcast(conn.handle(), name + ": " + std::string(line) + "\n");
    }
  }

  void on_close(weft::Conn& conn, weft::CloseReason, std::error_code) override {
    {
      std::lock_guard lock(mutex_);
      std::erase(members_, conn.handle());
    }
    delete conn.context_as<std::string>();
  }

 private:
  static constexpr size_t kMaxLine = 4096;

  // One shared buffer for all receivers: each connection queues a reference, not a copy.
  void broadcast(const weft::ConnHandle& from, std::string text) {
    weft::SharedBytes message = weft::SharedBytes::adopt(std::move(text));
    std::lock_guard lock(mutex_);
    for (const weft::ConnHandle& h : members_) {
      if (h != from) h.send(message);
    }
  }

  std::mutex mutex_;
  std::vector<weft::ConnHandle> members_;
};

int main(int argc, char** argv) {
  const char* address = argc > 1 ? argv[1] : "tcp://127.0.0.1:7000";
  try {
    Chat chat;
    weft::ServerOptions options;
    options.loops = 2;
    options.stop_signals = {SIGINT, SIGTERM};
    weft::Server server(chat, options);
    server.listen(address);
    std::printf("chat on %s\n", server.address().to_string().c_str());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chat: %s\n", e.what());
    return 1;
  }
}
