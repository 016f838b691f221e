#include "server_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

namespace weft::test {

ServerFixture::ServerFixture(Handler& handler, ServerOptions options, const std::string& url)
    : server_(std::make_unique<Server>(handler, std::move(options))) {
  server_->listen(url);
  server_->start();
}

ServerFixture::~ServerFixture() {
  stop();
}

void ServerFixture::stop(Duration timeout) {
  if (stopped_) return;
  stopped_ = true;
  server_->stop();
  std::promise<void> finished;
  std::future<void> done = finished.get_future();
  std::thread waiter([this, &finished] {
    server_->wait();
    finished.set_value();
  });
  if (done.wait_for(timeout) != std::future_status::ready) {
    ADD_FAILURE() << "server did not stop within the time limit";
    std::fprintf(stderr, "FATAL: weft::Server did not stop in time; aborting the test process\n");
    std::fflush(stderr);
    std::abort();
  }
  waiter.join();
}

std::string temp_socket_path(const std::string& tag) {
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir != nullptr && *dir != '\0' ? dir : "/tmp";
  static std::atomic<int> counter{0};
  return base + "/weft-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sock";
}

}  // namespace weft::test
