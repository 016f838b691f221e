#include "weft/process/worker.h"

#include <unistd.h>

#include <stdexcept>
#include <utility>

#include "weft/process/socket_activation.h"

namespace weft {

Worker Worker::standalone(std::vector<std::string> urls) {
  std::vector<int> fds;
  for (auto& s : take_inherited_sockets()) fds.push_back(s.fd);
  return Worker(std::move(fds), std::move(urls), -1, kStandalone, 1);
}

Worker::Worker(std::vector<int> fds, std::vector<std::string> urls, int ready_fd, size_t index, unsigned generation)
    : fds_(std::move(fds)), urls_(std::move(urls)), ready_fd_(ready_fd), index_(index), generation_(generation) {}

Worker::Worker(Worker&& other) noexcept
    : fds_(std::exchange(other.fds_, {})),
      urls_(std::move(other.urls_)),
      ready_fd_(std::exchange(other.ready_fd_, -1)),
      index_(other.index_),
      generation_(other.generation_),
      attached_(other.attached_) {}

Worker::~Worker() {
  if (!attached_) {
    for (int fd : fds_) ::close(fd);
  }
  if (ready_fd_ >= 0) ::close(ready_fd_);
}

void Worker::attach(Server& server) {
  if (attached_) throw std::logic_error("Worker::attach: the listeners are already attached");
  attached_ = true;
  if (!fds_.empty()) {
    // Each listen_fd takes its descriptor, even when it throws for a later one.
    std::vector<int> fds = std::exchange(fds_, {});
    for (size_t i = 0; i < fds.size(); ++i) {
      try {
        server.listen_fd(fds[i]);
      } catch (...) {
        for (size_t j = i; j < fds.size(); ++j) ::close(fds[j]);
        throw;
      }
    }
    return;
  }
  for (const auto& url : urls_) server.listen(url);
}

void Worker::ready() {
  if (ready_fd_ >= 0) {
    char byte = 'R';
    [[maybe_unused]] ssize_t n = ::write(ready_fd_, &byte, 1);
    ::close(ready_fd_);
    ready_fd_ = -1;
    return;
  }
  if (!supervised()) notify_service_manager("READY=1");
}

}  // namespace weft
