#include "weft/coro/worker_pool.h"

#include <pthread.h>

#include <stdexcept>
#include <utility>

#include "core/guarded_call.h"
#include "weft/core/event_loop.h"

namespace weft {

WorkerPool::WorkerPool(size_t threads, std::string name) : size_(threads), name_(std::move(name)) {
  if (threads == 0) throw std::invalid_argument("WorkerPool: threads must be positive");
}

WorkerPool::~WorkerPool() {
  stop();
}

bool WorkerPool::submit(Work work) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    if (threads_.empty()) start_locked();
    queue_.push_back(std::move(work));
  }
  cv_.notify_one();
  return true;
}

bool WorkerPool::submit(Work work, EventLoop& loop, Done done) {
  return submit([work = std::move(work), loop = &loop, done = std::move(done)]() mutable {
    std::exception_ptr error;
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    EventLoop::Task finish = [done = std::move(done), error] { done(error); };
    // post() leaves the task untouched when it refuses it, so it can still run here.
    if (!loop->post(std::move(finish))) finish();
  });
}

void WorkerPool::start_locked() {
  threads_.reserve(size_);
  for (size_t i = 0; i < size_; ++i) threads_.emplace_back([this, i] { run(i); });
}

void WorkerPool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) {
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // stop() from a worker's own task: it exits once the queue is empty.
    } else {
      t.join();
    }
  }
}

void WorkerPool::run(size_t index) {
  std::string thread_name = name_ + "-" + std::to_string(index);
  ::pthread_setname_np(::pthread_self(), thread_name.substr(0, 15).c_str());
  for (;;) {
    Work work;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping, and nothing left to run.
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    detail::guarded_call("worker task", work);
  }
}

}  // namespace weft
