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
// already queued, then joins. Every method is safe from any thread, a worker of the pool
// included: stop() there only signals (a thread never joins itself), and the workers
// share the queue's state, so one still finishing its task never touches freed memory.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
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
  // Called from one of the pool's own workers it only signals: the workers finish the
  // queue and exit, and the destructor (or a stop() from another thread) joins them.
  void stop();

  size_t size() const { return size_; }

 private:
  // What the workers share with the pool; each worker keeps it alive while it runs.
  struct Shared {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<Work> queue;  // Guarded by mutex.
    bool stopping = false;   // Guarded by mutex.
  };

  void start_locked();
  static void run(const std::shared_ptr<Shared>& shared, std::string thread_name);
  // Signals the stop; returns the threads the caller must join (none on a worker).
  std::vector<std::thread> begin_stop(bool take_all);

  const size_t size_;
  const std::string name_;
  const std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;  // Guarded by shared_->mutex.
};

}  // namespace weft
