// A line chat with coroutines: a client's first line is its name; every later line goes
// to every other client as "name: line". Each client's coroutine keeps a StreamHandle in
// the room, through which the others reach it from any loop; one SharedBytes carries a
// line to all of them.
//
//   build/bin/example_chat_coro tcp://127.0.0.1:7000    then, in several terminals:  nc 127.0.0.1 7000

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "weft/coro/coro.h"

namespace {

class Room {
 public:
  void join(const weft::StreamHandle& h) {
    std::lock_guard lock(mutex_);
    members_.push_back(h);
  }
  void leave(const weft::StreamHandle& h) {
    std::lock_guard lock(mutex_);
    std::erase(members_, h);
  }
  void broadcast(const weft::StreamHandle& from, std::string text) {
    weft::SharedBytes message = weft::SharedBytes::adopt(std::move(text));
    std::lock_guard lock(mutex_);
    for (const weft::StreamHandle& h : members_) {
      if (h != from) h.send(message);
    }
  }

 private:
  std::mutex mutex_;
  std::vector<weft::StreamHandle> members_;
};

Room room;

std::string trimmed(std::string_view line) {
  line.remove_suffix(line.size() > 1 && line[line.size() - 2] == '\r' ? 2 : 1);
  return std::string(line);
}

weft::Task<> chat(weft::Stream s) {
  auto first = co_await s.read_until("\n", 4096);
  if (!first) co_return;
  std::string name = trimmed(*first);
  if (name.empty()) name = "anonymous";
  if (co_await s.write("welcome " + name + "\n")) co_return;
  const weft::StreamHandle me = s.handle();
  room.join(me);
  for (;;) {
    auto line = co_await s.read_until("\n", 4096);
    if (!line) break;  // s.close_reason() says why: peer closed, reset, idle, shutdown...
    room.broadcast(me, name + ": " + trimmed(*line) + "\n");
  }
  room.leave(me);
}

}  // namespace

int main(int argc, char** argv) {
  const char* address = argc > 1 ? argv[1] : "tcp://127.0.0.1:7000";
  try {
    weft::ServerOptions options;
    options.loops = 2;
    options.stop_signals = {SIGINT, SIGTERM};
    weft::CoroServer server(chat, options);
    server.listen(address);
    std::printf("chat (coroutines) on %s\n", server.address().to_string().c_str());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chat_coro: %s\n", e.what());
    return 1;
  }
}
