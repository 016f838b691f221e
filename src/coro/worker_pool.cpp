#include "weft/coro/worker_pool.h"

#include <pthread.h>

#include <stdexcept>
#include <utility>

#include "core/guarded_call.h"
#include "weft/core/event_loop.h"

namespace weft {

namespace {

// The pool whose worker the calling thread is, if any.
thread_local const void* t_worker_of = nullptr;

}  // namespace

WorkerPool::WorkerPool(size_t threads, std::string name)
    : size_(threads), name_(std::move(name)), shared_(std::make_shared<Shared>()) {
  if (threads == 0) throw std::invalid_argument("WorkerPool: threads must be positive");
}

WorkerPool::~WorkerPool() {
  for (std::thread& t : begin_stop(true)) {
    // Destroyed by one of its own tasks: that worker cannot join itself. It only touches
    // the shared state from now on, which it keeps alive.
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();
    } else {
      t.join();
    }
  }
}

bool WorkerPool::submit(Work work) {
  // Notified under the lock: once it is released, the work may already have run and even
  // destroyed the pool, so nothing here may touch `this` afterwards.
  std::lock_guard lock(shared_->mutex);
  if (shared_->stopping) return false;
  if (threads_.empty()) start_locked();
  shared_->queue.push_back(std::move(work));
  shared_->cv.notify_one();
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
    // The exception moves with the task, so it is released on the thread that ran done:
    // no reference stays here (libstdc++ counts references in code TSan cannot see).
    EventLoop::Task finish = [done = std::move(done), error = std::move(error)] { done(error); };
    // post() leaves the task untouched when it refuses it, so it can still run here.
    if (!loop->post(std::move(finish))) finish();
  });
}

void WorkerPool::start_locked() {
  threads_.reserve(size_);
  for (size_t i = 0; i < size_; ++i) {
    threads_.emplace_back(&WorkerPool::run, shared_, name_ + "-" + std::to_string(i));
  }
}

std::vector<std::thread> WorkerPool::begin_stop(bool take_all) {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
    if (take_all || t_worker_of != shared_.get()) threads.swap(threads_);
  }
  shared_->cv.notify_all();
  return threads;
}

void WorkerPool::stop() {
  for (std::thread& t : begin_stop(false)) t.join();
}

void WorkerPool::run(const std::shared_ptr<Shared>& shared, std::string thread_name) {
  // Linux limits thread names to 15 characters.
  ::pthread_setname_np(::pthread_self(), thread_name.substr(0, 15).c_str());
  t_worker_of = shared.get();
  for (;;) {
    Work work;
    {
      std::unique_lock lock(shared->mutex);
      shared->cv.wait(lock, [&] { return shared->stopping || !shared->queue.empty(); });
      if (shared->queue.empty()) return;  // Stopping, and nothing left to run.
      work = std::move(shared->queue.front());
      shared->queue.pop_front();
    }
    detail::guarded_call("worker task", work);
  }
}

}  // namespace weft
