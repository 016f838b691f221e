#pragma once
// WorkerPool: threads for blocking work (file I/O, a blocking library call, heavy
// computation), so that it never runs on an event loop. Coroutines reach it through
// offload(); callback handlers call submit() directly:
//
//   pool.submit([req] { return lookup(req); }, conn.loop(), [h = conn.handle()](std::exception_ptr e) {
//     ...  // on the loop thread
//   });
//
// Threads ("weft-work-0", ...) start with the first submit. The destructor runs what is
// already queued, then joins. Every method is safe from any thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weft {

class EventLoop;

class WorkerPool {
 public:
  using Work = std::function<void()>;
  using Done = std::function<void(std::exception_ptr)>;

  // Throws std::invalid_argument if threads is 0.
  explicit WorkerPool(size_t threads, std::string name = "weft-work");
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs work on a worker thread; an exception it throws is logged. Returns false, and
  // runs nothing, once the pool is stopping.
  bool submit(Work work);
  // Runs work on a worker, then done on loop's thread with the exception work threw (or
  // null). If that loop has finished running, done runs on the worker thread instead.
  // Returns false, and calls neither, once the pool is stopping.
  bool submit(Work work, EventLoop& loop, Done done);

  // Runs what is queued, then joins the threads. Later submits return false. Idempotent.
  void stop();

  size_t size() const { return size_; }

 private:
  void start_locked();
  void run(size_t index);

  const size_t size_;
  const std::string name_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Work> queue_;  // Guarded by mutex_.
  std::vector<std::thread> threads_;
  bool stopping_ = false;  // Guarded by mutex_.
};

}  // namespace weft
