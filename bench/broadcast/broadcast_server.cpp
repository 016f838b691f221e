// bench_broadcast: the server of bench/broadcast/run.sh. Every connection joins one room
// and is greeted with one byte ("!", so a client knows it has joined); every byte a
// connection sends asks for one broadcast: `--size` bytes to every member of the room.
//
//   --mode shared   one SharedBytes per broadcast, a reference queued on each receiver
//   --mode copy     a std::string per receiver (what a broadcast costs without
//                   SharedBytes: ConnHandle::send(std::string) copies the bytes once here,
//                   and Conn::write copies them again into the receiver's output chain)
//
// Sends go through ConnHandle, as a broadcast from any thread would. On SIGTERM it prints
// one JSON line: broadcasts, deliveries, the bytes this program copied for them, its CPU
// time and peak memory.

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "cli.h"
#include "weft/weft.h"

namespace {

class Room final : public weft::Handler {
 public:
  Room(bool shared, size_t size) : shared_(shared), payload_(size, 'b') {}

  void on_open(weft::Conn& conn) override {
    {
      std::lock_guard lock(mutex_);
      members_.push_back(conn.handle());
    }
    conn.write("!");
  }
  void on_close(weft::Conn& conn, weft::CloseReason, std::error_code) override {
    std::lock_guard lock(mutex_);
    std::erase(members_, conn.handle());
  }
  void on_traffic(weft::Conn& conn) override {
    size_t asked = conn.read().size();
    for (size_t i = 0; i < asked; ++i) broadcast();
  }

  void report(const char* mode) const {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::printf(
        "{\"mode\": \"%s\", \"size\": %zu, \"broadcasts\": %llu, \"deliveries\": %llu, \"bytes_copied\": %llu, "
        "\"cpu_s\": %.3f, \"maxrss_kib\": %ld}\n",
        mode, payload_.size(), broadcasts_, deliveries_, copied_, cpu, ru.ru_maxrss);
    std::fflush(stdout);
  }

 private:
  void broadcast() {
    std::lock_guard lock(mutex_);
    if (shared_) {
      weft::SharedBytes message = weft::SharedBytes::copy_of(payload_);
      copied_ += payload_.size();
      for (const weft::ConnHandle& h : members_) h.send(message);
    } else {
      for (const weft::ConnHandle& h : members_) {
        h.send(std::string(payload_));
        copied_ += 2 * payload_.size();  // This string, and Conn::write's copy into the chain.
      }
    }
    ++broadcasts_;
    deliveries_ += members_.size();
  }

  bool shared_;
  std::string payload_;
  std::mutex mutex_;
  std::vector<weft::ConnHandle> members_;  // Guarded by mutex_, as are the counters.
  unsigned long long broadcasts_ = 0;
  unsigned long long deliveries_ = 0;
  unsigned long long copied_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  weft::tools::App app("bench_broadcast", "The server of the broadcast benchmark: one room, every byte a broadcast.");
  std::string addr = "tcp://127.0.0.1:7100";
  bool shared = true;
  size_t size = 64;
  weft::ServerOptions options;
  options.loops = 1;
  options.stop_signals = {SIGINT, SIGTERM};
  app.add_address("--addr", addr, "where to listen");
  app.add_choice("--mode", shared, {{"shared", true}, {"copy", false}},
                 "one SharedBytes per broadcast, or a copy per receiver");
  app.add_size("--size", size, "bytes per broadcast message");
  app.add_number("--loops", options.loops, "I/O loops", size_t{1}, size_t{64});
  app.parse_or_exit(argc, argv);
  Room room(shared, size);
  try {
    weft::Server server(room, options);
    server.listen(addr);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_broadcast: %s\n", e.what());
    return 1;
  }
  room.report(shared ? "shared" : "copy");
}
