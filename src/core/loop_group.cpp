#include "weft/core/loop_group.h"

#include <pthread.h>

namespace weft {

LoopGroup::LoopGroup(size_t count, const LoopOptions& options, std::string name) : name_(std::move(name)) {
  loops_.reserve(count);
  for (size_t i = 0; i < count; ++i) loops_.push_back(std::make_unique<EventLoop>(options));
}

LoopGroup::~LoopGroup() { stop(); }

void LoopGroup::start() {
  for (size_t i = 0; i < loops_.size(); ++i) {
    threads_.emplace_back([this, i] {
      // Linux limits thread names to 15 characters.
      std::string thread_name = (name_ + "-" + std::to_string(i)).substr(0, 15);
      ::pthread_setname_np(::pthread_self(), thread_name.c_str());
      loops_[i]->run();
    });
  }
}

void LoopGroup::stop() {
  for (auto& loop : loops_) loop->quit();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace weft
