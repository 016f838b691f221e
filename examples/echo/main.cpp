// The smallest weft server: echo every byte back.
//
//   build/bin/example_echo tcp://127.0.0.1:7000    then:   nc 127.0.0.1 7000

#include <csignal>
#include <cstdio>
#include <exception>

#include "weft/weft.h"

class Echo : public weft::Handler {
 public:
  void on_open(weft::Conn& conn) override {
    std::printf("open  %s\n", conn.remote_address().to_string().c_str());
  }

  // Whatever arrived goes straight back. read() consumes it; write() queues it, and the
  // loop sends everything queued in this iteration with one syscall.
  void on_traffic(weft::Conn& conn) override { conn.write(conn.read()); }

  void on_close(weft::Conn& conn, weft::CloseReason reason, std::error_code) override {
    std::printf("close %s (%s)\n", conn.remote_address().to_string().c_str(), weft::to_string(reason));
  }
};

int main(int argc, char** argv) {
  const char* address = argc > 1 ? argv[1] : "tcp://127.0.0.1:7000";
  try {
    Echo echo;
    weft::ServerOptions options;
    options.loops = 2;
    options.stop_signals = {SIGINT, SIGTERM};  // Ctrl-C stops gracefully.
    weft::Server server(echo, options);
    server.listen(address);
    std::printf("echo server on %s\n", server.address().to_string().c_str());
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo: %s\n", e.what());
    return 1;
  }
}
